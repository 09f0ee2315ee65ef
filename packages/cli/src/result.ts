// What a simulation produces: one row per autoscaler tick, one sample per simulated second, a summary.
import type { Mode } from './load-model.js';
import type { TraceMetric } from './trace.js';

/** One autoscaler tick (every --tick, plus pokes). */
export interface TickRow {
  /** Seconds since the start of the simulation. */
  tS: number;
  /** The trace's value at tS, in the trace's unit. */
  load: number;
  /** Offered concurrency at tS (after Little's law when the trace is in rps). */
  concurrency: number;
  ready: number;
  starting: number;
  terminating: number;
  /** The decider's desired pod count; -1 while it has no valid decision yet (no data). */
  want: number;
  /** The replica count the reconcile step applied (min/max/scale-to-zero gating included). */
  replicas: number;
  panic: boolean;
  excessBurstCapacity: number;
  mode: Mode;
  numActivators: number;
  /** Windowed averages of the scaling metric (revision totals); null = no data. */
  stableAvg: number | null;
  panicAvg: number | null;
  /** true when this tick was an extra one run at once because load reached a revision at zero. */
  poke: boolean;
}

/** The state at the end of each simulated second (decision values held since the last tick). */
export interface SecondSample {
  tS: number;
  load: number;
  concurrency: number;
  ready: number;
  replicas: number;
  want: number;
  panic: boolean;
  mode: Mode;
  /** Requests waiting in the activator (no ready pod, or containerConcurrency full). */
  waiting: number;
}

export interface Summary {
  durationS: number;
  maxReadyPods: number;
  maxReplicas: number;
  /** First second with load; null when the trace never has load. */
  firstLoadS: number | null;
  /** From the first load to the first ready pod (0 when a pod was already ready). */
  timeToFirstReadyPodS: number | null;
  /** The second the load last dropped to zero for good; null when it never does. */
  loadEndS: number | null;
  /** From loadEndS until no pod is ready and the replica count is 0; null when that never happens. */
  timeBackToZeroS: number | null;
  panicSeconds: number;
  panicEpisodes: number;
  maxWaiting: number;
}

export interface SimulationSettings {
  traceMetric: TraceMetric;
  scalingMetric: 'concurrency' | 'rps';
  containerConcurrency: number;
  targetValue: number;
  totalValue: number;
  targetBurstCapacity: number;
  minScale: number;
  maxScale: number;
  stableWindowMs: number;
  panicWindowMs: number;
  scaleToZeroGracePeriodMs: number;
  podStartDelayMs: number;
  podStopDelayMs: number;
  latencyMs: number;
  tickMs: number;
  durationMs: number;
}

export interface SimulationResult {
  settings: SimulationSettings;
  ticks: TickRow[];
  seconds: SecondSample[];
  summary: Summary;
}

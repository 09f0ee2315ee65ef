// The simulation loop: a simulated clock in whole seconds, no sleeping. Every second each ready pod
// (and the activator) reports its stats; every tick, and at once when load reaches a revision at
// zero (a poke), the real scaling code decides and the reconcile step's replica count is applied.
import type { RevisionScalingSpec } from '@kpa-ts/scaling';
import { createRevisionAutoscaler, type Decision, type RevisionAutoscaler } from './autoscaler.js';
import { createCluster, type SimCluster } from './cluster.js';
import { offeredLoad, secondStats, type Mode } from './load-model.js';
import type { SecondSample, SimulationResult, SimulationSettings, TickRow } from './result.js';
import { summarize } from './summary.js';
import { loadPerSecond, type Trace } from './trace.js';

export interface SimulationInput {
  trace: Trace;
  spec: RevisionScalingSpec;
  containerConcurrency: number;
  podStartDelayMs: number;
  podStopDelayMs: number;
  initialPods: number;
  latencyMs: number;
  tickMs: number;
  durationMs: number;
}

/**
 * The simulated wall clock starts here rather than at 0, so window bucket indexes and "since"
 * timestamps in the past (an idle revision's "inactive since") stay positive. A multiple of the tick.
 */
export const SIM_EPOCH_MS = 1_700_000_000_000;

interface LoopState {
  input: SimulationInput;
  cluster: SimCluster;
  autoscaler: RevisionAutoscaler;
  decision: Decision;
  lastReady: number;
  ticks: TickRow[];
  seconds: SecondSample[];
}

function runTick(s: LoopState, tS: number, load: number, concurrency: number, poke: boolean): void {
  const nowMs = SIM_EPOCH_MS + tS * 1000;
  const counts = s.cluster.counts(nowMs);
  s.decision = s.autoscaler.tick(nowMs, { readyPods: counts.ready, replicas: counts.replicas });
  if (s.decision.replicas !== undefined && s.decision.replicas !== s.cluster.replicas()) s.cluster.scaleTo(s.decision.replicas, nowMs);
  const after = s.cluster.counts(nowMs);
  const d = s.decision;
  s.ticks.push({
    tS, load, concurrency, ready: after.ready, starting: after.starting, terminating: after.terminating,
    want: d.want, replicas: after.replicas, panic: d.panicking, excessBurstCapacity: d.excessBurstCapacity, mode: d.mode,
    numActivators: d.numActivators, stableAvg: d.stableAvg ?? null, panicAvg: d.panicAvg ?? null, poke,
  });
}

/** Reconcile-only run (a requeue came due, or the ready count changed): may apply a new count. */
function runReconcile(s: LoopState, nowMs: number): void {
  const counts = s.cluster.counts(nowMs);
  s.decision = s.autoscaler.reconcile(nowMs, { readyPods: counts.ready, replicas: counts.replicas });
  if (s.decision.replicas !== undefined && s.decision.replicas !== s.cluster.replicas()) s.cluster.scaleTo(s.decision.replicas, nowMs);
}

function simulateSecond(s: LoopState, tS: number, load: number): void {
  const { input, cluster, autoscaler } = s;
  const nowMs = SIM_EPOCH_MS + tS * 1000;
  cluster.advance(nowMs);
  const ready = cluster.counts(nowMs).ready;
  // Knative's reconciler also runs when the pods change and when a requeue comes due, not only on ticks.
  if (ready !== s.lastReady || autoscaler.reconcileDue(nowMs)) runReconcile(s, nowMs);
  s.lastReady = ready;
  const offered = offeredLoad(load, input.trace.metric, input.latencyMs);
  const mode: Mode = s.decision.mode;
  const second = secondStats(offered, cluster.readyPods(nowMs), { containerConcurrency: input.containerConcurrency, mode, tsMs: nowMs });
  autoscaler.record(second.stats);
  const poke = second.activatorConcurrency > 0 && autoscaler.lastWant() === 0;
  if ((tS * 1000) % input.tickMs === 0 || poke) runTick(s, tS, load, offered.concurrency, poke && (tS * 1000) % input.tickMs !== 0);
  const counts = cluster.counts(nowMs);
  s.seconds.push({
    tS, load, concurrency: offered.concurrency, ready: counts.ready, replicas: counts.replicas, want: s.decision.want,
    panic: s.decision.panicking, mode: s.decision.mode, waiting: second.waitingConcurrency,
  });
}

function settingsOf(input: SimulationInput): SimulationSettings {
  const { spec } = input;
  return {
    traceMetric: input.trace.metric,
    scalingMetric: spec.scaler.metric,
    containerConcurrency: input.containerConcurrency,
    targetValue: spec.scaler.targetValue,
    totalValue: spec.scaler.totalValue,
    targetBurstCapacity: spec.scaler.targetBurstCapacity,
    minScale: spec.reconcile.minScale,
    maxScale: spec.reconcile.maxScale,
    stableWindowMs: spec.windows.stableWindowMs,
    panicWindowMs: spec.windows.panicWindowMs,
    scaleToZeroGracePeriodMs: spec.reconcile.scaleToZeroGracePeriodMs,
    podStartDelayMs: input.podStartDelayMs,
    podStopDelayMs: input.podStopDelayMs,
    latencyMs: input.latencyMs,
    tickMs: input.tickMs,
    durationMs: input.durationMs,
  };
}

/** Runs the whole trace; deterministic: the same input gives the same result. */
export function simulate(input: SimulationInput): SimulationResult {
  const startMs = SIM_EPOCH_MS;
  const cluster = createCluster(input, { nowMs: startMs, readyPods: input.initialPods });
  const autoscaler = createRevisionAutoscaler(input.spec, { nowMs: startMs, readyPods: input.initialPods });
  const state: LoopState = { input, cluster, autoscaler, decision: autoscaler.initialDecision(), lastReady: input.initialPods, ticks: [], seconds: [] };
  const durationS = Math.floor(input.durationMs / 1000);
  loadPerSecond(input.trace, durationS).forEach((load, tS) => simulateSecond(state, tS, load));
  return { settings: settingsOf(input), ticks: state.ticks, seconds: state.seconds, summary: summarize(state.seconds) };
}

/** Default run length: the trace's end plus time for the revision to settle back (and 30 s to see it). */
export function defaultDurationMs(traceEndS: number, spec: RevisionScalingSpec, podStartDelayMs: number): number {
  const r = spec.reconcile;
  const settle = spec.windows.stableWindowMs + Math.max(r.scaleToZeroGracePeriodMs, r.scaleToZeroPodRetentionPeriodMs) + spec.scaler.scaleDownDelayMs;
  return Math.ceil((traceEndS * 1000 + podStartDelayMs + settle + 30_000) / 1000) * 1000;
}

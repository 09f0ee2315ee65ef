// What a demo run records: one sample per second, the timeline, the load totals.
import type { LoadTotals } from './load.js';
import type { RevisionView, TimelineEvent } from './observer.js';

export type DemoPhase = 'burst' | 'idle';

/** The state at the end of one second of the run. */
export interface DemoSample extends RevisionView {
  /** Seconds since the burst started. */
  tS: number;
  phase: DemoPhase;
  /** Clients running (the offered concurrency). */
  clients: number;
  /** Successful responses in this second. */
  ok: number;
  failed: number;
  /** Clients waiting for a response now. */
  inFlight: number;
}

export interface DemoRun {
  /** ms since epoch when the burst started. */
  startMs: number;
  samples: DemoSample[];
  events: TimelineEvent[];
  load: LoadTotals;
  /** true when the revision was back at zero before the settle timeout. */
  backAtZero: boolean;
  /** ms from the burst's start to back at zero; undefined when it never was. */
  backAtZeroMs: number | undefined;
}

/** The one JSON line of `kpa demo --json`. */
export interface DemoJson {
  requests: number;
  failures: number;
  /** percent, 2 decimals */
  availability: number;
  maxPods: number;
  finalPods: number;
  firstResponseMs: number | null;
  backAtZero: boolean;
  backAtZeroMs: number | null;
  elapsedMs: number;
  p50Ms: number | null;
  p99Ms: number | null;
  logDir: string;
}

// The pinned types of the pure core (../shared/spec/architecture.md). Other tools test against
// ScalerSpec / ScaleInput / ScaleDecision / createScaler: change them only with the spec.

/** Everything the decider needs, numbers only (Knative's DeciderSpec). */
export interface ScalerSpec {
  metric: 'concurrency' | 'rps';
  /** Per-pod target, utilisation applied (e.g. 100 × 0.7 = 70). */
  targetValue: number;
  /** Per-pod capacity (containerConcurrency, or the default target). */
  totalValue: number;
  /** -1: activator always in path; 0: only at zero. */
  targetBurstCapacity: number;
  /** Ratio: 2.0 for 200 %. */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  stableWindowMs: number;
  scaleDownDelayMs: number;
  activationScale: number;
  activatorCapacity: number;
  /** false: revision unreachable (no scale-down floor, no delay window). */
  reachable: boolean;
}

export interface ScaleInput {
  nowMs: number;
  /** undefined = the pod count could not be read → invalid. */
  readyPods: number | undefined;
  /** Windowed average of the TOTAL metric; undefined = no data. */
  stableAvg: number | undefined;
  panicAvg: number | undefined;
}

export interface ScaleDecision {
  /** false when there is no data: never act on it. */
  valid: boolean;
  desiredPodCount: number;
  excessBurstCapacity: number;
  numActivators: number;
  panicking: boolean;
}

export interface Scaler {
  scale(input: ScaleInput): ScaleDecision;
  update(spec: ScalerSpec): void;
}

/** How the stable/panic windows average their per-second buckets (kpa.md a.5 / a.6). */
export type AggregationAlgorithm = 'linear' | 'weighted-exponential';

export interface WindowSpec {
  stableWindowMs: number;
  /** round(stable × panic-window-percentage / 100) to whole seconds, at least 1 s. */
  panicWindowMs: number;
  algorithm: AggregationAlgorithm;
}

/** What the per-revision reconcile step (kpa.md d.10, `decideScale`) needs besides the decider. */
export interface ReconcileSpec {
  minScale: number;
  /** 0 = unlimited. */
  maxScale: number;
  initialScale: number;
  enableScaleToZero: boolean;
  scaleToZeroGracePeriodMs: number;
  scaleToZeroPodRetentionPeriodMs: number;
  stableWindowMs: number;
  /** How long a revision may stay Activating before the reconciler gives up (progress deadline + 30 s). */
  activationTimeoutMs: number;
  reachable: boolean;
  targetBurstCapacity: number;
}

/** The whole per-revision scaling configuration, built by @kpa-ts/config's makeRevisionSpec. */
export interface RevisionScalingSpec {
  scaler: ScalerSpec;
  windows: WindowSpec;
  reconcile: ReconcileSpec;
}

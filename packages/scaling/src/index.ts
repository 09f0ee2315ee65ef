export type {
  AggregationAlgorithm,
  ReconcileSpec,
  RevisionScalingSpec,
  ScaleDecision,
  ScaleInput,
  Scaler,
  ScalerSpec,
  WindowSpec,
} from './types.js';
export { goRound, round6, toInt32 } from './math.js';
export { BucketWindow, BUCKET_MS, bucketCount, smoothingCoefficient } from './bucket-window.js';
export { MaxTimeWindow, MAX_WINDOW_GRANULARITY_MS } from './max-time-window.js';
export {
  createRevisionMetrics,
  type PodStat,
  type RevisionMetrics,
  type RevisionMetricsCounters,
  type RevisionMetricsOptions,
  type ScalingMetric,
  type WindowAverages,
} from './revision-metrics.js';
export { createScaler, type ScalerState } from './scaler.js';
export {
  applyDecision,
  computeExcessBurstCapacity,
  computeNumActivators,
  initialDeciderStatus,
  initialExcessBurstCapacity,
  MIN_ACTIVATORS,
  updateDeciderStatus,
  type DeciderStatus,
} from './decider-math.js';
export {
  initialPAState,
  type ActiveCondition,
  type ActiveReason,
  type PAState,
  type ReconcileInput,
  type ReconcileResult,
  type ScaleMode,
} from './reconcile-types.js';
export { activeThreshold, computeActiveCondition, scaleBounds } from './active-condition.js';
export { handleScaleToZero, PROXY_REQUEUE_MS, type ScaleToZeroResult } from './scale-to-zero.js';
export { applyBounds, computeMode, decideScale } from './decide-scale.js';
export {
  activatorIndex,
  assignedPods,
  assignSlice,
  BREAKER_QUEUE_DEPTH,
  loadBalancingPolicy,
  podCapacityForActivator,
  revisionBreakerCapacity,
  UNLIMITED_CAPACITY,
  type BreakerCapacityInput,
  type LoadBalancingPolicy,
} from './activator-capacity.js';

// ConfigMap defaults + a workload's parsed annotations → the numbers the scaling core runs on
// (kpa.md d.1: Knative's MakeDecider / MakeMetric / the KPA reconciler's bounds).
import type { ReconcileSpec, RevisionScalingSpec, ScalerSpec, WindowSpec } from '@kpa-ts/scaling';
import type { Annotations } from './annotation-fields.js';
import type { AutoscalerConfig } from './config-defaults.js';
import { msToNs, nsToMs, roundDurationNs } from './go-duration.js';

/** Knative's `autoscaling.TargetMin`: no per-pod target below this. */
const TARGET_MIN = 0.01;
/** Knative's deployment progress deadline default (config-deployment `progress-deadline`). */
export const DEFAULT_PROGRESS_DEADLINE_MS = 600_000;
/** The KPA reconciler gives an Activating revision its progress deadline plus this much. */
export const ACTIVATION_TIMEOUT_BUFFER_MS = 30_000;
const SECOND_NS = 1_000_000_000n;

export interface SpecOptions {
  /** false when the revision is unreachable (no route sends it traffic). Default true. */
  reachable?: boolean;
  /** The workload's progress deadline; default 600 s. */
  progressDeadlineMs?: number;
}

/**
 * The per-pod `total` (capacity) and `targetValue` (what the autoscaler aims for), d.1:
 * rps: 200 (or the target annotation) × 0.7; concurrency: containerConcurrency, else the default
 * 100, capped at containerConcurrency when the target annotation asks for more, × 70 %.
 * E.g. cc = 10, target = 25, concurrency → total = min(25, 10) = 10, targetValue = 10 × 0.7 = 7.
 */
function targets(config: AutoscalerConfig, annotations: Annotations, containerConcurrency: number): { total: number; targetValue: number } {
  const rps = annotations.metric === 'rps';
  let total = rps ? config.rpsTargetDefault : containerConcurrency !== 0 ? containerConcurrency : config.containerConcurrencyTargetDefault;
  let utilization = rps ? config.targetUtilization : config.containerConcurrencyTargetFraction;
  if (annotations.target !== undefined) {
    total = !rps && containerConcurrency !== 0 ? Math.min(annotations.target, containerConcurrency) : annotations.target;
  }
  if (annotations.targetUtilizationPercentage !== undefined) utilization = annotations.targetUtilizationPercentage / 100;
  return { total, targetValue: Math.max(TARGET_MIN, total * utilization) };
}

/** The decider's spec (Knative's DeciderSpec). `containerConcurrency` 0 = unlimited. */
export function makeScalerSpec(
  config: AutoscalerConfig,
  annotations: Annotations,
  containerConcurrency: number,
  opts: Pick<SpecOptions, 'reachable'> = {},
): ScalerSpec {
  const { total, targetValue } = targets(config, annotations, containerConcurrency);
  return {
    metric: annotations.metric === 'rps' ? 'rps' : 'concurrency',
    targetValue,
    totalValue: total,
    targetBurstCapacity: annotations.targetBurstCapacity ?? config.targetBurstCapacity,
    panicThreshold: (annotations.panicThresholdPercentage ?? config.panicThresholdPercentage) / 100,
    maxScaleUpRate: config.maxScaleUpRate,
    maxScaleDownRate: config.maxScaleDownRate,
    stableWindowMs: annotations.windowMs ?? config.stableWindowMs,
    scaleDownDelayMs: annotations.scaleDownDelayMs ?? config.scaleDownDelayMs,
    activationScale: annotations.activationScale ?? 0,
    activatorCapacity: config.activatorCapacity,
    reachable: opts.reachable ?? true,
  };
}

/**
 * Panic window: stable × percentage / 100, rounded to whole seconds like Go's Duration.Round(1s)
 * (halves away from zero), at least 1 s. E.g. 60 s × 10 % = 6 s; 15 s × 10 % = 1.5 s → 2 s.
 */
export function panicWindowMs(stableWindowMs: number, panicWindowPercentage: number): number {
  // Go: time.Duration(float64(stable) * pct / 100) truncates the float to whole nanoseconds.
  const rawNs = BigInt(Math.trunc((Number(msToNs(stableWindowMs)) * panicWindowPercentage) / 100));
  const roundedNs = roundDurationNs(rawNs, SECOND_NS);
  return Math.max(1000, nsToMs(roundedNs));
}

/** The stable/panic windows and their aggregation (Knative's MakeMetric). */
export function makeWindowSpec(config: AutoscalerConfig, annotations: Annotations): WindowSpec {
  const stableWindowMs = annotations.windowMs ?? config.stableWindowMs;
  return {
    stableWindowMs,
    panicWindowMs: panicWindowMs(stableWindowMs, annotations.panicWindowPercentage ?? config.panicWindowPercentage),
    algorithm: annotations.metricAggregationAlgorithm ?? 'linear',
  };
}

/** initial-scale: the annotation unless it is 0 where the cluster forbids 0, else the ConfigMap's. */
export function resolveInitialScale(config: AutoscalerConfig, annotations: Annotations): number {
  const fromAnnotation = annotations.initialScale;
  if (fromAnnotation === undefined || (fromAnnotation === 0 && !config.allowZeroInitialScale)) return config.initialScale;
  return fromAnnotation;
}

/** Bounds and scale-to-zero timing for the reconcile step (d.10). */
export function makeReconcileSpec(config: AutoscalerConfig, annotations: Annotations, opts: SpecOptions = {}): ReconcileSpec {
  const reachable = opts.reachable ?? true;
  return {
    // Knative's ScaleBounds: an unreachable revision has no lower bound.
    minScale: reachable ? (annotations.minScale ?? config.minScale) : 0,
    maxScale: annotations.maxScale ?? config.maxScale,
    initialScale: resolveInitialScale(config, annotations),
    enableScaleToZero: config.enableScaleToZero,
    scaleToZeroGracePeriodMs: config.scaleToZeroGracePeriodMs,
    // An unreachable revision keeps no last pod around.
    scaleToZeroPodRetentionPeriodMs: reachable ? (annotations.scaleToZeroPodRetentionPeriodMs ?? config.scaleToZeroPodRetentionPeriodMs) : 0,
    stableWindowMs: annotations.windowMs ?? config.stableWindowMs,
    activationTimeoutMs: (opts.progressDeadlineMs ?? DEFAULT_PROGRESS_DEADLINE_MS) + ACTIVATION_TIMEOUT_BUFFER_MS,
    reachable,
    targetBurstCapacity: annotations.targetBurstCapacity ?? config.targetBurstCapacity,
  };
}

/** Everything one revision's scaling needs: decider, windows, reconcile. */
export function makeRevisionSpec(
  config: AutoscalerConfig,
  annotations: Annotations,
  containerConcurrency: number,
  opts: SpecOptions = {},
): RevisionScalingSpec {
  return {
    scaler: makeScalerSpec(config, annotations, containerConcurrency, opts),
    windows: makeWindowSpec(config, annotations),
    reconcile: makeReconcileSpec(config, annotations, opts),
  };
}

// The `autoscaling.knative.dev/*` annotation keys (kpa.md c), with their legacy camelCase aliases in
// Knative's priority order (kmap.KeyPriority: the first key present wins).

export const ANNOTATION_PREFIX = 'autoscaling.knative.dev/';
/** Prefix for kpa-ts's own extensions (none yet). */
export const KPA_TS_ANNOTATION_PREFIX = 'kpa-ts.dev/';

const A = ANNOTATION_PREFIX;

/** The canonical (kebab-case) key of every annotation. */
export const ANNOTATION_KEYS = {
  class: `${A}class`,
  metric: `${A}metric`,
  target: `${A}target`,
  targetUtilizationPercentage: `${A}target-utilization-percentage`,
  targetBurstCapacity: `${A}target-burst-capacity`,
  window: `${A}window`,
  panicWindowPercentage: `${A}panic-window-percentage`,
  panicThresholdPercentage: `${A}panic-threshold-percentage`,
  minScale: `${A}min-scale`,
  maxScale: `${A}max-scale`,
  initialScale: `${A}initial-scale`,
  activationScale: `${A}activation-scale`,
  scaleDownDelay: `${A}scale-down-delay`,
  scaleToZeroPodRetentionPeriod: `${A}scale-to-zero-pod-retention-period`,
  metricAggregationAlgorithm: `${A}metric-aggregation-algorithm`,
} as const;

export type AnnotationName = keyof typeof ANNOTATION_KEYS;

/** The legacy camelCase aliases, read only when the canonical key is absent. */
export const LEGACY_ANNOTATION_KEYS = {
  targetUtilizationPercentage: `${A}targetUtilizationPercentage`,
  targetBurstCapacity: `${A}targetBurstCapacity`,
  panicWindowPercentage: `${A}panicWindowPercentage`,
  panicThresholdPercentage: `${A}panicThresholdPercentage`,
  minScale: `${A}minScale`,
  maxScale: `${A}maxScale`,
  initialScale: `${A}initialScale`,
  scaleDownDelay: `${A}scaleDownDelay`,
  scaleToZeroPodRetentionPeriod: `${A}scaleToZeroPodRetentionPeriod`,
  metricAggregationAlgorithm: `${A}metricAggregationAlgorithm`,
} as const satisfies Partial<Record<AnnotationName, string>>;

/** Keys in lookup order: canonical first, then the legacy alias if there is one. */
export function annotationKeyPriority(name: AnnotationName): string[] {
  const legacy = (LEGACY_ANNOTATION_KEYS as Partial<Record<AnnotationName, string>>)[name];
  return legacy === undefined ? [ANNOTATION_KEYS[name]] : [ANNOTATION_KEYS[name], legacy];
}

/** The `metric` values of the KPA classes. */
export const METRIC_CONCURRENCY = 'concurrency';
export const METRIC_RPS = 'rps';

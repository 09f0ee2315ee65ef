// The parsed `config-autoscaler` ConfigMap (kpa.md b): its type, Knative's defaults, and which
// ConfigMap key sets which field in which Go syntax.

/** Knative's KPA class, the default `pod-autoscaler-class`. */
export const KNATIVE_KPA_CLASS = 'kpa.autoscaling.knative.dev';
/** Knative's HPA class (accepted by validation, not implemented here). */
export const KNATIVE_HPA_CLASS = 'hpa.autoscaling.knative.dev';
/** Our class: workloads annotated with it are scaled by kpa-ts. */
export const KPA_TS_CLASS = 'kpa.autoscaling.kpa-ts.dev';

/** The ConfigMap's name, as in Knative. */
export const CONFIG_AUTOSCALER_NAME = 'config-autoscaler';

/** Every field of the parsed ConfigMap. Durations are milliseconds. */
export interface AutoscalerConfig {
  podAutoscalerClass: string;
  enableScaleToZero: boolean;
  allowZeroInitialScale: boolean;
  initialScale: number;
  minScale: number;
  /** 0 = unlimited. */
  maxScale: number;
  /** 0 = no limit. */
  maxScaleLimit: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  /** A fraction in (0, 1]: the key accepts `70` and `0.7` alike. */
  containerConcurrencyTargetFraction: number;
  containerConcurrencyTargetDefault: number;
  /** Target utilisation for the rps metric: fixed at 0.7, not a ConfigMap key (Knative's too). */
  targetUtilization: number;
  rpsTargetDefault: number;
  /** -1 = unlimited (activator always in path). */
  targetBurstCapacity: number;
  activatorCapacity: number;
  stableWindowMs: number;
  panicWindowPercentage: number;
  panicThresholdPercentage: number;
  scaleToZeroGracePeriodMs: number;
  scaleToZeroPodRetentionPeriodMs: number;
  scaleDownDelayMs: number;
}

/** Knative's defaults (knative/serving v1.23, kpa.md b). */
export const DEFAULT_AUTOSCALER_CONFIG: Readonly<AutoscalerConfig> = Object.freeze({
  podAutoscalerClass: KNATIVE_KPA_CLASS,
  enableScaleToZero: true,
  allowZeroInitialScale: false,
  initialScale: 1,
  minScale: 0,
  maxScale: 0,
  maxScaleLimit: 0,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  containerConcurrencyTargetFraction: 0.7,
  containerConcurrencyTargetDefault: 100,
  targetUtilization: 0.7,
  rpsTargetDefault: 200,
  targetBurstCapacity: 211,
  activatorCapacity: 100,
  stableWindowMs: 60_000,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  scaleToZeroGracePeriodMs: 30_000,
  scaleToZeroPodRetentionPeriodMs: 0,
  scaleDownDelayMs: 0,
});

export type FieldKind = 'string' | 'bool' | 'int32' | 'float' | 'duration';

/** The ConfigMap key of each field and its syntax, in Knative's parse order. */
export const CONFIG_FIELDS = {
  podAutoscalerClass: { key: 'pod-autoscaler-class', kind: 'string' },
  enableScaleToZero: { key: 'enable-scale-to-zero', kind: 'bool' },
  allowZeroInitialScale: { key: 'allow-zero-initial-scale', kind: 'bool' },
  maxScaleUpRate: { key: 'max-scale-up-rate', kind: 'float' },
  maxScaleDownRate: { key: 'max-scale-down-rate', kind: 'float' },
  containerConcurrencyTargetFraction: { key: 'container-concurrency-target-percentage', kind: 'float' },
  containerConcurrencyTargetDefault: { key: 'container-concurrency-target-default', kind: 'float' },
  rpsTargetDefault: { key: 'requests-per-second-target-default', kind: 'float' },
  targetBurstCapacity: { key: 'target-burst-capacity', kind: 'float' },
  panicWindowPercentage: { key: 'panic-window-percentage', kind: 'float' },
  activatorCapacity: { key: 'activator-capacity', kind: 'float' },
  panicThresholdPercentage: { key: 'panic-threshold-percentage', kind: 'float' },
  initialScale: { key: 'initial-scale', kind: 'int32' },
  minScale: { key: 'min-scale', kind: 'int32' },
  maxScale: { key: 'max-scale', kind: 'int32' },
  maxScaleLimit: { key: 'max-scale-limit', kind: 'int32' },
  stableWindowMs: { key: 'stable-window', kind: 'duration' },
  scaleDownDelayMs: { key: 'scale-down-delay', kind: 'duration' },
  scaleToZeroGracePeriodMs: { key: 'scale-to-zero-grace-period', kind: 'duration' },
  scaleToZeroPodRetentionPeriodMs: { key: 'scale-to-zero-pod-retention-period', kind: 'duration' },
} as const satisfies Record<Exclude<keyof AutoscalerConfig, 'targetUtilization'>, { key: string; kind: FieldKind }>;

export type ConfigField = keyof typeof CONFIG_FIELDS;
export type ConfigKey = (typeof CONFIG_FIELDS)[ConfigField]['key'];
export type DurationField = { [F in ConfigField]: (typeof CONFIG_FIELDS)[F]['kind'] extends 'duration' ? F : never }[ConfigField];

/** field name → ConfigMap key, e.g. `CONFIG_KEYS.stableWindowMs === 'stable-window'`. */
export const CONFIG_KEYS = Object.freeze(
  Object.fromEntries(Object.entries(CONFIG_FIELDS).map(([field, { key }]) => [field, key])),
) as { readonly [F in ConfigField]: (typeof CONFIG_FIELDS)[F]['key'] };

export const CONFIG_FIELD_NAMES = Object.keys(CONFIG_FIELDS) as ConfigField[];

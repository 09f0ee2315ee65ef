export type { AutoscalerConfig, ConfigField, ConfigKey } from './config-defaults.js';
export {
  CONFIG_AUTOSCALER_NAME,
  CONFIG_KEYS,
  DEFAULT_AUTOSCALER_CONFIG,
  KNATIVE_HPA_CLASS,
  KNATIVE_KPA_CLASS,
  KPA_TS_CLASS,
} from './config-defaults.js';
export { autoscalerConfigSchema, autoscalerConfigToData, parseAutoscalerConfig } from './autoscaler-config.js';
export type { AnnotationName } from './annotation-keys.js';
export {
  ANNOTATION_KEYS,
  ANNOTATION_PREFIX,
  KPA_TS_ANNOTATION_PREFIX,
  LEGACY_ANNOTATION_KEYS,
  METRIC_CONCURRENCY,
  METRIC_RPS,
  annotationKeyPriority,
} from './annotation-keys.js';
export type { Annotations } from './annotation-fields.js';
export { parseAnnotations, resolveAnnotations } from './annotations.js';
export type { SpecOptions } from './scaler-spec.js';
export {
  ACTIVATION_TIMEOUT_BUFFER_MS,
  DEFAULT_PROGRESS_DEADLINE_MS,
  makeReconcileSpec,
  makeRevisionSpec,
  makeScalerSpec,
  makeWindowSpec,
  panicWindowMs,
  resolveInitialScale,
} from './scaler-spec.js';
export { formatGoDurationMs, parseGoDurationMs } from './go-duration.js';
export type { ConfigIssue, ConfigIssueCode, ConfigIssueParams } from './issues.js';
export { ConfigError, issueCode } from './issues.js';

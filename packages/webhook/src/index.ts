export {
  CLASS_ANNOTATION,
  CONTAINER_CONCURRENCY_ANNOTATION,
  DEFAULT_USER_PORT,
  KNATIVE_REVISION_LABEL,
  KPA_TS_CLASS,
  NETWORK_PROBE_HEADER,
  NETWORK_PROBE_QUEUE,
  QUEUE_METRICS_PORT,
  QUEUE_PROXY_CONTAINER,
  QUEUE_SERVING_PORT,
  REVISION_LABEL,
  SYSTEM_NAMESPACE,
} from './constants.js';
export type { WebhookErrorCode } from './errors.js';
export { WebhookError } from './errors.js';
export type { InjectionConfig, ResourceList } from './injection-config.js';
export { DEFAULT_INJECTION_CONFIG } from './injection-config.js';
export type { JsonPatchOp } from './json-patch.js';
export type { PodDecision, SkipReason } from './pod-patch.js';
export { decidePodInjection, hasOurClass, isKnativeOwned, parseContainerConcurrency, servingProbe, userContainerIndex } from './pod-patch.js';
export { ownerNameFromGenerateName, revisionOf } from './revision-name.js';
export type { Validation } from './validate.js';
export { validateConfigMap, validateDeployment } from './validate.js';
export type { AdmissionRequest, AdmissionResponse, AdmissionReview, AdmissionReviewResponse } from './admission-review.js';
export { allow, deny, parseAdmissionReview, parseAdmissionReviewText, reviewResponse } from './admission-review.js';
export type { Admission, AdmissionResult, MutateDeps, ValidateDeps } from './admit.js';
export { admitMutation, admitValidation } from './admit.js';
export type { GenerateOptions, TlsMaterial } from './certs.js';
export { generateTlsMaterial, readTlsMaterial } from './certs.js';
export type { AutoscalerConfigSource, WatchConfigOptions } from './config-source.js';
export { staticConfigSource, watchConfigSource } from './config-source.js';
export type { WebhookEnv } from './env.js';
export { injectionConfigFromEnv, parseWebhookEnv, webhookEnvSchema } from './env.js';
export type { AdmissionOutcome, WebhookMetrics } from './metrics.js';
export { createWebhookMetrics } from './metrics.js';
export type { WebhookServer, WebhookServerOptions } from './server.js';
export { MUTATE_PODS_PATH, VALIDATE_PATH, startWebhookServer } from './server.js';

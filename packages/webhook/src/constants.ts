// Names shared by the webhook, its manifests and the components that read what it writes.
// The names the activator and the autoscaler read too live in @kpa-ts/kube (one place for all three).
export {
  APP_NAME_LABEL,
  CLASS_ANNOTATION,
  CONTAINER_CONCURRENCY_ANNOTATION,
  KPA_TS_CLASS,
  MAX_CONTAINER_CONCURRENCY,
  POD_TEMPLATE_HASH_LABEL,
  QUEUE_PROXY_CONTAINER,
  QUEUE_SERVING_PORT,
  REVISION_LABEL,
} from '@kpa-ts/kube';

/** Pods of Knative Serving carry this label: they get Knative's own queue-proxy, never ours. */
export const KNATIVE_REVISION_LABEL = 'serving.knative.dev/revision';

export const QUEUE_METRICS_PORT = 9091;
/** Knative's probe header: `K-Network-Probe: queue` asks the queue-proxy whether the pod is ready. */
export const NETWORK_PROBE_HEADER = 'K-Network-Probe';
export const NETWORK_PROBE_QUEUE = 'queue';
/** The user port when the user container declares none (Knative's default). */
export const DEFAULT_USER_PORT = 8080;

/** The system namespace and the ConfigMap the validating webhook checks. */
export const SYSTEM_NAMESPACE = 'kpa-system';

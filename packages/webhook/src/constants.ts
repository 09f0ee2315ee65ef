// Names shared by the webhook, its manifests and the components that read what it writes.
import { KPA_TS_CLASS } from '@kpa-ts/config';

export { KPA_TS_CLASS };

/** The pod (template) annotation that selects the autoscaler class. */
export const CLASS_ANNOTATION = 'autoscaling.knative.dev/class';
/** Per-workload hard concurrency limit for the queue-proxy's breaker (0 = unlimited). */
export const CONTAINER_CONCURRENCY_ANNOTATION = 'kpa-ts.dev/container-concurrency';
/** The label the webhook puts on every injected Pod: the revision (= Deployment) it belongs to. */
export const REVISION_LABEL = 'kpa-ts.dev/revision';
/** Fallback source of the revision name (the recommended app label). */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
/** Set by the Deployment controller on every Pod; its value is the suffix of the ReplicaSet name. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** Pods of Knative Serving carry this label: they get Knative's own queue-proxy, never ours. */
export const KNATIVE_REVISION_LABEL = 'serving.knative.dev/revision';

export const QUEUE_PROXY_CONTAINER = 'queue-proxy';
export const QUEUE_SERVING_PORT = 8012;
export const QUEUE_METRICS_PORT = 9091;
/** Knative's probe header: `K-Network-Probe: queue` asks the queue-proxy whether the pod is ready. */
export const NETWORK_PROBE_HEADER = 'K-Network-Probe';
export const NETWORK_PROBE_QUEUE = 'queue';
/** The user port when the user container declares none (Knative's default). */
export const DEFAULT_USER_PORT = 8080;
export const MAX_CONTAINER_CONCURRENCY = 1000;

/** The system namespace and the ConfigMap the validating webhook checks. */
export const SYSTEM_NAMESPACE = 'kpa-system';

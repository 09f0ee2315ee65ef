// The names the webhook writes and the activator and autoscaler read: one place, so the three
// sides cannot drift apart. The class annotation's key and value are `@kpa-ts/config`'s
// (`ANNOTATION_KEYS.class`, `KPA_TS_CLASS`): re-exported here under the names Kubernetes code uses.
import { ANNOTATION_KEYS, KPA_TS_CLASS } from '@kpa-ts/config';

export { KPA_TS_CLASS };
/** The pod (template) annotation that selects the autoscaler class. */
export const CLASS_ANNOTATION = ANNOTATION_KEYS.class;
/** The label the webhook puts on every injected Pod (a template may set it too): its revision. */
export const REVISION_LABEL = 'kpa-ts.dev/revision';
/** The revision name's second source (the recommended app label). */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
/** Set by the Deployment controller on every Pod; its value is the suffix of the ReplicaSet name. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** Per-workload hard concurrency limit for the queue-proxy's breaker (0 = unlimited). */
export const CONTAINER_CONCURRENCY_ANNOTATION = 'kpa-ts.dev/container-concurrency';
/** Knative's container-concurrency-max-limit. */
export const MAX_CONTAINER_CONCURRENCY = 1000;
/** The sidecar's container name. */
export const QUEUE_PROXY_CONTAINER = 'queue-proxy';
/** The queue-proxy's serving port when the Pod does not say otherwise. */
export const QUEUE_SERVING_PORT = 8012;

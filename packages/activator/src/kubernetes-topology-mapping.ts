// Pure mapping from Kubernetes objects to the activator's topology: a Pod → an Endpoint of its
// revision, a Deployment of our class → a RevisionInfo. Reading the objects, the names and the
// revision-name rule are @kpa-ts/kube's (shared with the autoscaler and the webhook); what is
// only the activator's is the queue-proxy port to route to.
import { CLASS_ANNOTATION, envValue, isPodReady, KPA_TS_CLASS, parseClassDeployment, parsePod, queueProxyContainer, QUEUE_SERVING_PORT, REVISION_LABEL, revisionOf, type KubeContainer, type Labels, type RevisionNameInput } from '@kpa-ts/kube';
import type { Endpoint, RevisionInfo } from './topology.js';

/** Names the serving port of the queue-proxy may carry (the webhook's, Knative's, a plain one). */
const SERVING_PORT_NAMES = ['queue-port', 'http', 'http1', 'h2c'];

/** What a Pod means to the activator: which revision it serves and at which address. */
export interface PodEndpoint {
  namespace: string;
  revision: string;
  endpoint: Endpoint;
}

export type DeploymentMapping = { ok: true; info: RevisionInfo } | { ok: false; reason: 'not-our-class' | 'invalid'; message: string };

/**
 * A Pod's revision: the `kpa-ts.dev/revision` label; else, for a Pod of our class (the webhook was
 * not there to label it), the webhook's rule (`revisionOf`: app.kubernetes.io/name, the owner).
 */
export function podRevision(meta: RevisionNameInput & { annotations?: Labels }): string | undefined {
  const fromLabel = meta.labels?.[REVISION_LABEL];
  if (fromLabel) return fromLabel;
  if (meta.annotations?.[CLASS_ANNOTATION] !== KPA_TS_CLASS) return undefined;
  return revisionOf(meta)?.revision;
}

function portNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The queue-proxy's serving port: its QUEUE_SERVING_PORT env, else its port named queue-port/http, else 8012. */
export function queueProxyPort(containers: readonly KubeContainer[] | null | undefined): number {
  const qp = queueProxyContainer(containers);
  const fromEnv = portNumber(envValue(qp, 'QUEUE_SERVING_PORT'));
  if (fromEnv !== undefined) return fromEnv;
  const named = qp?.ports?.find((p) => SERVING_PORT_NAMES.includes(p.name ?? ''));
  return named?.containerPort ?? QUEUE_SERVING_PORT;
}

/**
 * A Pod → its revision and endpoint; undefined when the Pod is not ours or has no IP yet (nothing to
 * route to). A Pod that is not ready or is terminating maps to `ready: false`.
 */
export function podToEndpoint(input: unknown): PodEndpoint | undefined {
  const pod = parsePod(input);
  if (pod === undefined) return undefined;
  const revision = podRevision(pod.metadata);
  const ip = pod.status?.podIP;
  if (revision === undefined || !ip) return undefined;
  const port = queueProxyPort(pod.spec?.containers);
  return { namespace: pod.metadata.namespace, revision, endpoint: { pod: pod.metadata.name, ip, port, ready: isPodReady(pod) } };
}

/** A Deployment whose pod template carries our class → the revision it runs. */
export function deploymentToRevision(input: unknown): DeploymentMapping {
  const m = parseClassDeployment(input);
  if (!m.ok) return m;
  const { namespace, revision, containerConcurrency } = m.deployment;
  return { ok: true, info: { namespace, revision, containerConcurrency } };
}

// Pure mapping from Kubernetes objects to what the autoscaler manages: a Deployment whose pod
// template carries our class → a ManagedRevision (and the Deployment that scales it, and its
// replicas); a Pod → its revision and readiness. Reading the objects, the names and the
// revision-name rule are @kpa-ts/kube's (shared with the activator and the webhook).
import { ANNOTATION_PREFIX } from '@kpa-ts/config';
import { isPodReady, parseClassDeployment, parsePod, REVISION_LABEL } from '@kpa-ts/kube';
import type { ManagedRevision } from './ports.js';

export interface DeploymentRevision {
  /** The Deployment whose scale subresource scales the revision. */
  deployment: string;
  revision: ManagedRevision;
  /** Its `spec.replicas` as the informer last saw it (undefined: unset). */
  replicas: number | undefined;
}

export type DeploymentMapping = { ok: true; value: DeploymentRevision } | { ok: false; reason: 'not-our-class' | 'invalid'; message: string };

export interface PodReadiness {
  namespace: string;
  revision: string;
  pod: string;
  ready: boolean;
}

/** The `autoscaling.knative.dev/*` annotations (the class included); everything else is not ours to read. */
export function autoscalingAnnotations(annotations: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k.startsWith(ANNOTATION_PREFIX)));
}

/** A Deployment → the revision it runs, when its pod template carries `autoscaling.knative.dev/class: kpa.autoscaling.kpa-ts.dev`. */
export function deploymentToManagedRevision(input: unknown): DeploymentMapping {
  const m = parseClassDeployment(input);
  if (!m.ok) return m;
  const d = m.deployment;
  const revision: ManagedRevision = {
    namespace: d.namespace,
    revision: d.revision,
    annotations: autoscalingAnnotations(d.templateAnnotations),
    containerConcurrency: d.containerConcurrency,
  };
  return { ok: true, value: { deployment: d.name, revision, replicas: d.replicas } };
}

/** A Pod labelled with its revision → whether it counts as ready (Ready=True, an IP, not terminating). */
export function podReadiness(input: unknown): PodReadiness | undefined {
  const pod = parsePod(input);
  const revision = pod?.metadata.labels?.[REVISION_LABEL];
  if (pod === undefined || !revision) return undefined;
  return { namespace: pod.metadata.namespace, revision, pod: pod.metadata.name, ready: isPodReady(pod) };
}

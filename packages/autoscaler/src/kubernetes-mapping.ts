// Pure mapping from Kubernetes objects to what the autoscaler manages: a Deployment whose pod
// template carries our class → a ManagedRevision (and the Deployment that scales it); a Pod → its
// revision and readiness. Objects from a typed list carry Dates, from a watch plain JSON: the zod
// schemas read only the fields needed and accept both.
import { ANNOTATION_KEYS, ANNOTATION_PREFIX, KPA_TS_CLASS } from '@kpa-ts/config';
import { z } from 'zod';
import type { ManagedRevision } from './ports.js';

/** The label the webhook puts on every injected Pod (and a template may set): the revision. */
export const REVISION_LABEL = 'kpa-ts.dev/revision';
/** The webhook's fallback revision name. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const CONTAINER_CONCURRENCY_ANNOTATION = 'kpa-ts.dev/container-concurrency';
const QUEUE_PROXY_CONTAINER = 'queue-proxy';
const CONTAINER_CONCURRENCY_MAX = 1000;

const stringMap = z.record(z.string(), z.string()).nullish();
const containers = z.array(z.object({ name: z.string(), env: z.array(z.object({ name: z.string(), value: z.string().nullish() }).loose()).nullish() }).loose()).nullish();
const deploymentSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }).loose(),
  spec: z.object({
    template: z.object({
      metadata: z.object({ labels: stringMap, annotations: stringMap }).loose().nullish(),
      spec: z.object({ containers }).loose().nullish(),
    }),
  }),
});
const podSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1), labels: stringMap, deletionTimestamp: z.unknown().optional() }).loose(),
  status: z
    .object({ podIP: z.string().nullish(), conditions: z.array(z.object({ type: z.string(), status: z.string() }).loose()).nullish() })
    .loose()
    .nullish(),
});

export interface DeploymentRevision {
  /** The Deployment whose scale subresource scales the revision. */
  deployment: string;
  revision: ManagedRevision;
}

export type DeploymentMapping = { ok: true; value: DeploymentRevision } | { ok: false; reason: 'not-our-class' | 'invalid'; message: string };

export interface PodReadiness {
  namespace: string;
  revision: string;
  pod: string;
  ready: boolean;
}

/** The template's `kpa-ts.dev/revision`, else its `app.kubernetes.io/name`, else the Deployment name: what the webhook labels the Pods with. */
export function deploymentRevisionName(name: string, templateLabels: Record<string, string> | null | undefined): string {
  return templateLabels?.[REVISION_LABEL] || templateLabels?.[APP_NAME_LABEL] || name;
}

/** The `autoscaling.knative.dev/*` annotations (the class included); everything else is not ours to read. */
export function autoscalingAnnotations(annotations: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k.startsWith(ANNOTATION_PREFIX)));
}

/** `kpa-ts.dev/container-concurrency`, else the template's queue-proxy CONTAINER_CONCURRENCY env, else 0. */
function containerConcurrency(annotations: Record<string, string> | null | undefined, cs: z.infer<typeof containers>): number | string {
  const qp = cs?.find((c) => c.name === QUEUE_PROXY_CONTAINER);
  const raw = annotations?.[CONTAINER_CONCURRENCY_ANNOTATION] ?? qp?.env?.find((e) => e.name === 'CONTAINER_CONCURRENCY')?.value ?? undefined;
  if (raw === undefined) return 0;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(n) && n <= CONTAINER_CONCURRENCY_MAX) return n;
  return `${CONTAINER_CONCURRENCY_ANNOTATION} = ${JSON.stringify(raw)}, must be an integer in [0, ${CONTAINER_CONCURRENCY_MAX}]`;
}

/** A Deployment → the revision it runs, when its pod template carries `autoscaling.knative.dev/class: kpa.autoscaling.kpa-ts.dev`. */
export function deploymentToManagedRevision(input: unknown): DeploymentMapping {
  const parsed = deploymentSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'invalid', message: `not a Deployment: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` };
  }
  const { metadata, spec } = parsed.data;
  const tmeta = spec.template.metadata;
  if (tmeta?.annotations?.[ANNOTATION_KEYS.class] !== KPA_TS_CLASS) return { ok: false, reason: 'not-our-class', message: `template ${ANNOTATION_KEYS.class} is not ${KPA_TS_CLASS}` };
  const cc = containerConcurrency(tmeta.annotations, spec.template.spec?.containers);
  if (typeof cc === 'string') return { ok: false, reason: 'invalid', message: cc };
  const revision: ManagedRevision = {
    namespace: metadata.namespace,
    revision: deploymentRevisionName(metadata.name, tmeta.labels),
    annotations: autoscalingAnnotations(tmeta.annotations),
    containerConcurrency: cc,
  };
  return { ok: true, value: { deployment: metadata.name, revision } };
}

/** A Pod labelled with its revision → whether it counts as ready (Ready=True, an IP, not terminating). */
export function podReadiness(input: unknown): PodReadiness | undefined {
  const parsed = podSchema.safeParse(input);
  if (!parsed.success) return undefined;
  const { metadata, status } = parsed.data;
  const revision = metadata.labels?.[REVISION_LABEL];
  if (!revision) return undefined;
  const terminating = metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null;
  const ready = !terminating && Boolean(status?.podIP) && (status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
  return { namespace: metadata.namespace, revision, pod: metadata.name, ready };
}

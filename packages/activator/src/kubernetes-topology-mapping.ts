// Pure mapping from Kubernetes objects to the activator's topology: a Pod → an Endpoint of its
// revision, a Deployment of our class → a RevisionInfo. Objects come either from a typed list
// (client-node classes, timestamps as Date) or from a watch event (plain JSON, timestamps as
// strings); the zod schemas below read only what is needed and accept both.
import { z } from 'zod';
import type { Endpoint, RevisionInfo } from './topology.js';

/** The label the webhook puts on every injected Pod: its revision. */
export const REVISION_LABEL = 'kpa-ts.dev/revision';
/** Fallback revision name (the webhook's second choice). */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const CLASS_ANNOTATION = 'autoscaling.knative.dev/class';
export const KPA_TS_CLASS = 'kpa.autoscaling.kpa-ts.dev';
export const CONTAINER_CONCURRENCY_ANNOTATION = 'kpa-ts.dev/container-concurrency';
export const QUEUE_PROXY_CONTAINER = 'queue-proxy';
/** The queue-proxy's serving port when the Pod does not say otherwise. */
export const QUEUE_SERVING_PORT = 8012;
/** Names the serving port of the queue-proxy may carry (the webhook's, Knative's, a plain one). */
const SERVING_PORT_NAMES = ['queue-port', 'http', 'http1', 'h2c'];
/** Knative's container-concurrency-max-limit. */
const CONTAINER_CONCURRENCY_MAX = 1000;

const stringMap = z.record(z.string(), z.string()).nullish();
const metaSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  generateName: z.string().nullish(),
  labels: stringMap,
  annotations: stringMap,
  deletionTimestamp: z.unknown().optional(),
});
const envSchema = z.array(z.object({ name: z.string(), value: z.string().nullish() }).loose()).nullish();
const containerSchema = z
  .object({
    name: z.string(),
    env: envSchema,
    ports: z.array(z.object({ name: z.string().nullish(), containerPort: z.number() }).loose()).nullish(),
  })
  .loose();
const podSchema = z.object({
  metadata: metaSchema,
  spec: z.object({ containers: z.array(containerSchema) }).loose().nullish(),
  status: z
    .object({
      podIP: z.string().nullish(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() }).loose()).nullish(),
    })
    .loose()
    .nullish(),
});
const deploymentSchema = z.object({
  metadata: metaSchema,
  spec: z.object({
    template: z.object({
      metadata: z.object({ labels: stringMap, annotations: stringMap }).loose().nullish(),
      spec: z.object({ containers: z.array(containerSchema) }).loose().nullish(),
    }),
  }),
});

type Container = z.infer<typeof containerSchema>;
type Labels = Record<string, string> | null | undefined;

/** What a Pod means to the activator: which revision it serves and at which address. */
export interface PodEndpoint {
  namespace: string;
  revision: string;
  endpoint: Endpoint;
}

export type DeploymentMapping = { ok: true; info: RevisionInfo } | { ok: false; reason: 'not-our-class' | 'invalid'; message: string };

/** The owner's name from a ReplicaSet Pod's generateName `web-5d75b59c69-` (`web`). */
export function ownerFromGenerateName(generateName: string, templateHash: string | undefined): string {
  const base = generateName.endsWith('-') ? generateName.slice(0, -1) : generateName;
  if (templateHash && base.endsWith(`-${templateHash}`)) return base.slice(0, -(templateHash.length + 1));
  return base;
}

/**
 * A Pod's revision, as the webhook names it: the `kpa-ts.dev/revision` label; else, for a Pod of
 * our class (webhook not there), `app.kubernetes.io/name`, else the owner name from generateName.
 */
export function podRevision(meta: { labels?: Labels; annotations?: Labels; generateName?: string | null | undefined }): string | undefined {
  const fromLabel = meta.labels?.[REVISION_LABEL];
  if (fromLabel) return fromLabel;
  if (meta.annotations?.[CLASS_ANNOTATION] !== KPA_TS_CLASS) return undefined;
  const app = meta.labels?.[APP_NAME_LABEL];
  if (app) return app;
  if (meta.generateName) return ownerFromGenerateName(meta.generateName, meta.labels?.[POD_TEMPLATE_HASH_LABEL]) || undefined;
  return undefined;
}

/** A Deployment's revision: the template's `kpa-ts.dev/revision`, else its `app.kubernetes.io/name`, else the Deployment's name (what the webhook will label its Pods with). */
export function deploymentRevision(name: string, templateLabels: Labels): string {
  return templateLabels?.[REVISION_LABEL] || templateLabels?.[APP_NAME_LABEL] || name;
}

function envValue(c: Container | undefined, name: string): string | undefined {
  return c?.env?.find((e) => e.name === name)?.value ?? undefined;
}

function portNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The queue-proxy's serving port: its QUEUE_SERVING_PORT env, else its port named queue-port/http, else 8012. */
export function queueProxyPort(containers: readonly Container[] | null | undefined): number {
  const qp = containers?.find((c) => c.name === QUEUE_PROXY_CONTAINER);
  const fromEnv = portNumber(envValue(qp, 'QUEUE_SERVING_PORT'));
  if (fromEnv !== undefined) return fromEnv;
  const named = qp?.ports?.find((p) => SERVING_PORT_NAMES.includes(p.name ?? ''));
  return named?.containerPort ?? QUEUE_SERVING_PORT;
}

/** Ready = condition Ready=True, an IP, and not being deleted. */
export function isPodReady(pod: { metadata: { deletionTimestamp?: unknown }; status?: { podIP?: string | null | undefined; conditions?: { type: string; status: string }[] | null | undefined } | null | undefined }): boolean {
  if (pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) return false;
  if (!pod.status?.podIP) return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * A Pod → its revision and endpoint; undefined when the Pod is not ours or has no IP yet (nothing to
 * route to). A Pod that is not ready or is terminating maps to `ready: false`.
 */
export function podToEndpoint(input: unknown): PodEndpoint | undefined {
  const parsed = podSchema.safeParse(input);
  if (!parsed.success) return undefined;
  const pod = parsed.data;
  const revision = podRevision(pod.metadata);
  const ip = pod.status?.podIP;
  if (revision === undefined || !ip) return undefined;
  const port = queueProxyPort(pod.spec?.containers);
  return { namespace: pod.metadata.namespace, revision, endpoint: { pod: pod.metadata.name, ip, port, ready: isPodReady(pod) } };
}

/** `kpa-ts.dev/container-concurrency` (0..1000), else the queue-proxy's CONTAINER_CONCURRENCY env, else 0. */
export function containerConcurrencyOf(annotations: Labels, containers: readonly Container[] | null | undefined): number | { error: string } {
  const raw = annotations?.[CONTAINER_CONCURRENCY_ANNOTATION] ?? envValue(containers?.find((c) => c.name === QUEUE_PROXY_CONTAINER), 'CONTAINER_CONCURRENCY');
  if (raw === undefined) return 0;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > CONTAINER_CONCURRENCY_MAX) return { error: `${CONTAINER_CONCURRENCY_ANNOTATION} = ${JSON.stringify(raw)}, must be an integer in [0, ${CONTAINER_CONCURRENCY_MAX}]` };
  return n;
}

/** A Deployment whose pod template carries our class → the revision it runs. */
export function deploymentToRevision(input: unknown): DeploymentMapping {
  const parsed = deploymentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid', message: `not a Deployment: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}` };
  const { metadata, spec } = parsed.data;
  const template = spec.template;
  if (template.metadata?.annotations?.[CLASS_ANNOTATION] !== KPA_TS_CLASS) return { ok: false, reason: 'not-our-class', message: `${CLASS_ANNOTATION} is not ${KPA_TS_CLASS}` };
  const cc = containerConcurrencyOf(template.metadata.annotations, template.spec?.containers);
  if (typeof cc !== 'number') return { ok: false, reason: 'invalid', message: cc.error };
  const revision = deploymentRevision(metadata.name, template.metadata.labels);
  return { ok: true, info: { namespace: metadata.namespace, revision, containerConcurrency: cc } };
}

// Pure reading of the Deployments and Pods the activator and the autoscaler watch. Objects come
// either from a typed list (client-node classes, timestamps as Date) or from a watch event (plain
// JSON, timestamps as strings); the zod schemas read only what is needed and accept both.
import { z } from 'zod';
import { CLASS_ANNOTATION, CONTAINER_CONCURRENCY_ANNOTATION, KPA_TS_CLASS, MAX_CONTAINER_CONCURRENCY, QUEUE_PROXY_CONTAINER } from './names.js';
import { deploymentRevisionName, type Labels } from './revision-name.js';

const stringMap = z.record(z.string(), z.string()).nullish();
const containerSchema = z
  .object({
    name: z.string(),
    env: z.array(z.object({ name: z.string(), value: z.string().nullish() }).loose()).nullish(),
    ports: z.array(z.object({ name: z.string().nullish(), containerPort: z.number() }).loose()).nullish(),
  })
  .loose();
const containersSchema = z.array(containerSchema);
const podSchema = z.object({
  metadata: z
    .object({
      name: z.string().min(1),
      namespace: z.string().min(1),
      generateName: z.string().nullish(),
      labels: stringMap,
      annotations: stringMap,
      ownerReferences: z.array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }).loose()).nullish(),
      deletionTimestamp: z.unknown().optional(),
    })
    .loose(),
  spec: z.object({ containers: containersSchema }).loose().nullish(),
  status: z
    .object({
      podIP: z.string().nullish(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() }).loose()).nullish(),
    })
    .loose()
    .nullish(),
});
const deploymentSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }).loose(),
  spec: z
    .object({
      replicas: z.number().nullish(),
      template: z.object({
        metadata: z.object({ labels: stringMap, annotations: stringMap }).loose().nullish(),
        spec: z.object({ containers: containersSchema }).loose().nullish(),
      }),
    })
    .loose(),
});

export type KubeContainer = z.infer<typeof containerSchema>;
/** A Pod as far as kpa-ts reads it. */
export type KubePod = z.infer<typeof podSchema>;

/** A Deployment whose pod template carries our class, as both sides read it. */
export interface ClassDeployment {
  name: string;
  namespace: string;
  /** Its revision (`deploymentRevisionName`). */
  revision: string;
  /** `containerConcurrencyOf` the template. */
  containerConcurrency: number;
  /** The pod template's annotations (all of them). */
  templateAnnotations: Record<string, string>;
  /** `spec.replicas`; undefined when unset (the apiserver defaults it to 1, so only in hand-made objects). */
  replicas: number | undefined;
}

export type ClassDeploymentResult = { ok: true; deployment: ClassDeployment } | { ok: false; reason: 'not-our-class' | 'invalid'; message: string };

/** `namespace/name`: the key both sides index watched objects by. */
export function objectKey(o: { metadata?: { namespace?: string | undefined; name?: string | undefined } | undefined }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** A Pod, or undefined when the input is not one (no name or namespace, wrong shapes). */
export function parsePod(input: unknown): KubePod | undefined {
  const parsed = podSchema.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}

/** Ready = condition Ready=True, an IP, and not being deleted (terminating → out at once). */
export function isPodReady(pod: { metadata: { deletionTimestamp?: unknown }; status?: { podIP?: string | null | undefined; conditions?: readonly { type: string; status: string }[] | null | undefined } | null | undefined }): boolean {
  if (pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) return false;
  if (!pod.status?.podIP) return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The value of env variable `name` in container `c` (a literal `value`; `valueFrom` is not read). */
export function envValue(c: KubeContainer | undefined, name: string): string | undefined {
  return c?.env?.find((e) => e.name === name)?.value ?? undefined;
}

/** The queue-proxy container of a Pod or pod template, if injected. */
export function queueProxyContainer(containers: readonly KubeContainer[] | null | undefined): KubeContainer | undefined {
  return containers?.find((c) => c.name === QUEUE_PROXY_CONTAINER);
}

/** `kpa-ts.dev/container-concurrency` (0..1000), else the queue-proxy's CONTAINER_CONCURRENCY env, else 0. */
export function containerConcurrencyOf(annotations: Labels, containers: readonly KubeContainer[] | null | undefined): number | { error: string } {
  const raw = annotations?.[CONTAINER_CONCURRENCY_ANNOTATION] ?? envValue(queueProxyContainer(containers), 'CONTAINER_CONCURRENCY');
  if (raw === undefined) return 0;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_CONTAINER_CONCURRENCY) return { error: `${CONTAINER_CONCURRENCY_ANNOTATION} = ${JSON.stringify(raw)}, must be an integer in [0, ${MAX_CONTAINER_CONCURRENCY}]` };
  return n;
}

/** A Deployment → what it runs, when its pod template carries `autoscaling.knative.dev/class: kpa.autoscaling.kpa-ts.dev`. */
export function parseClassDeployment(input: unknown): ClassDeploymentResult {
  const parsed = deploymentSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'invalid', message: `not a Deployment: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` };
  }
  const { metadata, spec } = parsed.data;
  const tmeta = spec.template.metadata;
  if (tmeta?.annotations?.[CLASS_ANNOTATION] !== KPA_TS_CLASS) return { ok: false, reason: 'not-our-class', message: `template ${CLASS_ANNOTATION} is not ${KPA_TS_CLASS}` };
  const cc = containerConcurrencyOf(tmeta.annotations, spec.template.spec?.containers);
  if (typeof cc !== 'number') return { ok: false, reason: 'invalid', message: cc.error };
  return {
    ok: true,
    deployment: {
      name: metadata.name,
      namespace: metadata.namespace,
      revision: deploymentRevisionName(metadata.name, tmeta.labels),
      containerConcurrency: cc,
      templateAnnotations: { ...tmeta.annotations },
      replicas: spec.replicas ?? undefined,
    },
  };
}

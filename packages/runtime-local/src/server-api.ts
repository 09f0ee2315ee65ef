// The local runtime's HTTP API, shared by the server and the client: request bodies, resources and
// watch events, each a zod schema (the server parses bodies with them, the client parses answers).
import { z } from 'zod';
import type { PodInfo } from './types.js';

const dnsLabel = z
  .string()
  .max(63, { error: 'must be at most 63 characters' })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a DNS label: lower-case letters, digits and -' });
const stringMap = z.record(z.string(), z.string());
const port = z.number().int().min(1).max(65_535);
const replicas = z.number().int().min(0, { error: 'must be an integer in 0..1000' }).max(1000, { error: 'must be an integer in 0..1000' });

/** POST /v1/revisions: deploy (or update) a revision, like applying a Deployment. */
export const deployRequestSchema = z.object({
  namespace: dnsLabel,
  revision: dnsLabel.max(57, { error: 'must be at most 57 characters (pod names add 6)' }),
  containerConcurrency: z.number().int().min(0, { error: 'must be an integer in 0..1000' }).max(1000, { error: 'must be an integer in 0..1000' }),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  /** `autoscaling.knative.dev/*` and friends: passed to the autoscaler untouched. */
  annotations: stringMap.default({}),
  app: z.object({
    command: z.string().min(1, { error: 'must not be empty' }),
    args: z.array(z.string()).default([]),
    env: stringMap.optional(),
    port: port.optional(),
  }),
  /** Extra env for the queue-proxy. */
  env: stringMap.optional(),
  /** Initial spec.replicas; default 0 for a new revision, unchanged for an existing one. */
  replicas: replicas.optional(),
});
export type DeployRequest = z.input<typeof deployRequestSchema>;

/** PUT /v1/revisions/:ns/:rev/scale. */
export const scaleRequestSchema = z.object({ replicas });

/** POST /v1/pods/:name/kill (fault injection). */
export const killRequestSchema = z.object({
  signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGSTOP', 'SIGCONT', 'SIGUSR1', 'SIGUSR2']).default('SIGKILL'),
  container: z.enum(['app', 'queue-proxy']).optional(),
});

export const revisionResourceSchema = z.object({
  namespace: z.string(),
  revision: z.string(),
  containerConcurrency: z.number(),
  timeoutSeconds: z.number().optional(),
  annotations: stringMap,
  app: z.object({ command: z.string(), args: z.array(z.string()), env: stringMap.optional(), port: z.number().optional() }),
  env: stringMap.optional(),
  /** spec.replicas */
  replicas: z.number(),
});
/** A deployed revision as the API shows it. */
export type RevisionResource = z.infer<typeof revisionResourceSchema>;

export const podInfoSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  revision: z.string(),
  ip: z.string(),
  port: z.number(),
  phase: z.enum(['pending', 'running', 'ready', 'terminating']),
  ready: z.boolean(),
  createdAtMs: z.number(),
  readyAtMs: z.number().optional(),
  pids: z.object({ app: z.number().optional(), queueProxy: z.number().optional() }).optional(),
});

/** GET/PUT /v1/revisions/:ns/:rev/scale: the scale subresource, flattened. */
export const scaleResourceSchema = z.object({
  namespace: z.string(),
  revision: z.string(),
  /** spec.replicas */
  replicas: z.number(),
  /** pods that are ready now */
  readyReplicas: z.number(),
  /** pods that exist (any phase, terminating included) */
  podCount: z.number(),
});
export type ScaleResource = z.infer<typeof scaleResourceSchema>;

/**
 * GET /v1/watch: NDJSON, one event per line. A connection starts with the full state (a `revision`
 * and a `pods` event per revision) and a `synced` line, then every change; `heartbeat` lines keep
 * an idle connection visibly alive.
 */
export const watchEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('revision'), revision: revisionResourceSchema }),
  z.object({ type: z.literal('revision-deleted'), namespace: z.string(), revision: z.string() }),
  z.object({ type: z.literal('pods'), namespace: z.string(), revision: z.string(), pods: z.array(podInfoSchema) }),
  z.object({ type: z.literal('synced') }),
  z.object({ type: z.literal('heartbeat') }),
]);
type ParsedWatchEvent = z.infer<typeof watchEventSchema>;
/** A watch event; pods as the runtime's PodInfo (the parsed form never holds explicit undefineds). */
export type WatchEvent = Exclude<ParsedWatchEvent, { type: 'pods' }> | { type: 'pods'; namespace: string; revision: string; pods: PodInfo[] };

/** Every error body: `{ error: { code, message, field? } }`. */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** `field=value: rule` of a zod error's first issue, and the field's dotted path. */
export function describeIssue(error: z.ZodError, input: unknown): { field: string; message: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: '', message: 'invalid' };
  let value: unknown = input;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const field = issue.path.join('.');
  const shown = value === undefined ? 'missing' : JSON.stringify(value);
  return { field, message: `${field || '(body)'}=${shown}: ${issue.message}` };
}

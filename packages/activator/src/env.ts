import { hostname } from 'node:os';
import { z } from 'zod';
import { ActivatorError } from './errors.js';

const int = (min: number, max: number): z.ZodCoercedNumber<unknown> => z.coerce.number().int().min(min).max(max);

/**
 * The activator's environment, every field with its default. Parsed once in main.ts; an invalid
 * value stops the process with a message naming the variable, the value and the allowed range.
 */
export const activatorEnvSchema = z.object({
  /** Redis for stats, pokes and decisions; unset: run without a bus (always Proxy, no stats). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** Key prefix on the bus (tests use a random one). */
  KPA_PREFIX: z.string().default(''),
  /** Stats shards (must match the autoscaler's). */
  STATS_SHARDS: int(1, 4096).default(16),
  /** This replica's name (stats `pod`, poke `activator`). */
  ACTIVATOR_NAME: z.string().min(1).default(`activator-${hostname()}`),
  /** Index of this replica among ACTIVATOR_REPLICAS (-1: unknown, take every pod). */
  ACTIVATOR_INDEX: int(-1, 10_000).default(-1),
  ACTIVATOR_REPLICAS: int(1, 10_000).default(1),
  LISTEN_HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(8012),
  ADMIN_HOST: z.string().default('0.0.0.0'),
  ADMIN_PORT: int(0, 65535).default(9090),
  /** Host routing: `<revision>.<namespace>.<DOMAIN>`. */
  DOMAIN: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lower-case DNS name').default('kpa.local'),
  /** Requests that may wait per revision. */
  QUEUE_DEPTH: int(1, 1_000_000).default(10_000),
  /** How long a request may wait for a pod slot before a 503 (cold starts included). */
  QUEUE_TIMEOUT_MS: int(1, 3_600_000).default(120_000),
  /** Revision timeout when the revision sets none: the pod must answer within it, else 504. */
  REVISION_TIMEOUT_SECONDS: int(1, 3600).default(300),
  /** Attempts per request on connection failures (first included). */
  RETRY_ATTEMPTS: int(1, 10).default(3),
  /** Bodies up to this size are buffered so a reset before the response can be retried. */
  RETRY_BODY_MAX_BYTES: int(0, 16 * 1024 * 1024).default(64 * 1024),
  STATS_INTERVAL_MS: int(100, 60_000).default(1000),
  POKE_INTERVAL_MS: int(100, 60_000).default(1000),
  /** Shutdown: keep serving this long with readiness off, then stop accepting. */
  DRAIN_DELAY_MS: int(0, 300_000).default(0),
  /** Shutdown: how long in-flight and queued requests may take. */
  DRAIN_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DECISIONS_START_TIMEOUT_MS: int(0, 60_000).default(2000),
  /** Where revisions and pods come from: `static` (TOPOLOGY_FILE), `local` (the local runtime's API at RUNTIME_URL), `kubernetes` (Deployment + Pod informers). */
  TOPOLOGY: z.enum(['static', 'local', 'kubernetes']).default('static'),
  /** TOPOLOGY=kubernetes: a kubeconfig file; unset: the in-cluster service account (or ~/.kube/config). */
  KUBECONFIG: z.string().min(1).optional(),
  /** TOPOLOGY=kubernetes: watch one namespace; unset: all namespaces. */
  WATCH_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name (DNS label)').optional(),
  /** TOPOLOGY=kubernetes: the Pods to route to (default: those the webhook labelled with their revision). */
  POD_LABEL_SELECTOR: z.string().default('kpa-ts.dev/revision'),
  TOPOLOGY_FILE: z.string().optional(),
  /** TOPOLOGY=local: the local runtime's API (packages/runtime-local), e.g. http://127.0.0.1:7070. */
  RUNTIME_URL: z.url({ protocol: /^http$/, error: 'must be an http:// URL' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ActivatorEnv = z.infer<typeof activatorEnvSchema>;

/** Parses the environment; throws ActivatorError('ACT_CONFIG') naming the variable, value and rule. */
export function parseActivatorEnv(env: Readonly<Record<string, string | undefined>>): ActivatorEnv {
  const r = activatorEnvSchema.safeParse(env);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      return `${key}=${JSON.stringify(env[key] ?? null)}: ${i.message}`;
    });
    throw new ActivatorError('ACT_CONFIG', `invalid environment: ${msgs.join('; ')}`);
  }
  if (r.data.ACTIVATOR_INDEX >= r.data.ACTIVATOR_REPLICAS) {
    throw new ActivatorError('ACT_CONFIG', `invalid environment: ACTIVATOR_INDEX=${r.data.ACTIVATOR_INDEX} must be below ACTIVATOR_REPLICAS=${r.data.ACTIVATOR_REPLICAS} (or -1)`);
  }
  if (r.data.TOPOLOGY === 'static' && r.data.TOPOLOGY_FILE === undefined) {
    throw new ActivatorError('ACT_CONFIG', 'invalid environment: TOPOLOGY=static needs TOPOLOGY_FILE (a JSON file of revisions and endpoints)');
  }
  if (r.data.TOPOLOGY === 'local' && r.data.RUNTIME_URL === undefined) {
    throw new ActivatorError('ACT_CONFIG', 'invalid environment: TOPOLOGY=local needs RUNTIME_URL (the local runtime API, e.g. http://127.0.0.1:7070)');
  }
  return r.data;
}

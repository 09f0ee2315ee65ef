// The autoscaler's environment: one zod schema, every variable with its default. Parsed once in
// main.ts; an invalid value stops the process with a message naming the variable.
import { hostname } from 'node:os';
import { z } from 'zod';
import { AutoscalerError } from './errors.js';

const int = (min: number, max: number): z.ZodCoercedNumber<unknown> => z.coerce.number().int().min(min).max(max);

export const autoscalerEnvSchema = z.object({
  /** Redis of the bus (stats, pokes, decisions, shard leases). Required. */
  REDIS_URL: z.string({ error: 'is required' }).regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
  /** Key prefix on the bus (must match the activators' and queue-proxies'). */
  KPA_PREFIX: z.string().max(128).default(''),
  /** This replica's id: lease owner and stats consumer name. Unique per replica. */
  AUTOSCALER_NAME: z.string().min(1).max(200).default(`autoscaler-${hostname()}-${process.pid}`),
  /** config-autoscaler file (ConfigMap YAML or a plain key → value map), watched. Unset: Knative defaults. */
  CONFIG_FILE: z.string().min(1).optional(),
  ADMIN_HOST: z.string().min(1).default('0.0.0.0'),
  /** /metrics and /healthz (Knative's autoscaler serves metrics on 9090). */
  ADMIN_PORT: int(0, 65535).default(9090),
  /** Stats shards: must match the publishers' (queue-proxies, activators). */
  STATS_SHARDS: int(1, 4096).default(16),
  /** Shard lease TTL: a dead replica's revisions move to another within about this long. */
  LEASE_TTL_MS: int(50, 600_000).default(10_000),
  /** Where pods run: `memory` (a dry run over MEMORY_REVISIONS_FILE), `local` (the local runtime's API at RUNTIME_URL) or `kubernetes` (Deployments of our class, scaled through /scale). */
  BACKEND: z.enum(['memory', 'local', 'kubernetes']).default('local'),
  RUNTIME_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** BACKEND=kubernetes: a kubeconfig file; unset: the in-cluster service account (or ~/.kube/config). */
  KUBECONFIG: z.string().min(1).optional(),
  /** BACKEND=kubernetes: comma-separated namespaces to manage; empty: all namespaces. */
  WATCH_NAMESPACES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((n) => n.trim()).filter((n) => n !== ''))
    .pipe(z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be namespace names (DNS labels) separated by commas'))),
  /** BACKEND=kubernetes without CONFIG_FILE: the namespace of the config-autoscaler ConfigMap (watched). */
  SYSTEM_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name (DNS label)').default('kpa-system'),
  /** BACKEND=memory: JSON array of {namespace, revision, annotations, containerConcurrency, replicas?}. */
  MEMORY_REVISIONS_FILE: z.string().min(1).optional(),
  /** Knative's tick interval. */
  TICK_INTERVAL_MS: int(10, 600_000).default(2_000),
  /** Republish unchanged decisions this often (keeps the latest-decision hash fresh). */
  DECISION_REFRESH_MS: int(100, 3_600_000).default(30_000),
  /** How often the config file is re-read besides fs.watch events. */
  CONFIG_POLL_MS: int(50, 600_000).default(2_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AutoscalerEnv = z.infer<typeof autoscalerEnvSchema>;

/** Parses the environment; throws AS_INVALID_ENV naming the variable, its value and the rule. */
export function parseAutoscalerEnv(env: Readonly<Record<string, string | undefined>>): AutoscalerEnv {
  const r = autoscalerEnvSchema.safeParse(env);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      return `${key}=${JSON.stringify(env[key] ?? null)}: ${i.message}`;
    });
    throw new AutoscalerError('AS_INVALID_ENV', `invalid environment: ${msgs.join('; ')}`);
  }
  if (r.data.BACKEND === 'local' && r.data.RUNTIME_URL === undefined) {
    throw new AutoscalerError('AS_INVALID_ENV', 'invalid environment: RUNTIME_URL=null: BACKEND=local needs the local runtime API URL (e.g. http://127.0.0.1:7070)');
  }
  return r.data;
}

import { z } from 'zod';
import { EnvError } from './errors.js';

/** How the queue-proxy probes the user container (parsed from SERVING_READINESS_PROBE). */
export type ProbeTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'http'; host: string; port: number; path: string; headers: ReadonlyArray<readonly [string, string]> };

export interface ReadinessProbeConfig {
  target: ProbeTarget;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface QueueProxyConfig {
  namespace: string;
  revision: string;
  pod: string;
  bindHost: string;
  servingPort: number;
  metricsPort: number;
  userHost: string;
  userPort: number;
  /** 0 = unlimited: no breaker at all. */
  containerConcurrency: number;
  /** Time to the first response byte from the user container before a 504. */
  revisionTimeoutMs: number;
  /** Hard deadline from SIGTERM to exit. */
  drainTimeoutMs: number;
  /** How long after SIGTERM we keep accepting (unready, still serving) before closing the listener. */
  drainGraceMs: number;
  readinessProbe: ReadinessProbeConfig;
  redisUrl: string | undefined;
  statsShards: number;
  redisKeyPrefix: string;
  logLevel: string;
}

const intIn = (min: number, max: number): z.ZodCoercedNumber<unknown> =>
  z.coerce.number({ error: `must be an integer in [${min}, ${max}]` })
    .int({ error: `must be an integer in [${min}, ${max}]` })
    .min(min, { error: `must be an integer in [${min}, ${max}]` })
    .max(max, { error: `must be an integer in [${min}, ${max}]` });

const PORT_MAX = 65_535;
const SECONDS_MAX = 86_400;

/** Kubernetes IntOrString: a named port (non-numeric string) means "the user port", as Knative rewrites it. */
const ProbePort = z.union([z.number().int().min(0).max(PORT_MAX), z.string()]).optional();

/** The subset of a corev1.Probe that Knative serialises into SERVING_READINESS_PROBE. */
const ProbeJson = z
  .object({
    tcpSocket: z.object({ port: ProbePort, host: z.string().optional() }).optional(),
    httpGet: z
      .object({
        path: z.string().optional(),
        port: ProbePort,
        host: z.string().optional(),
        scheme: z.enum(['HTTP', 'http']).optional(),
        httpHeaders: z.array(z.object({ name: z.string().min(1), value: z.string() })).optional(),
      })
      .optional(),
    periodSeconds: z.number().int().min(0).max(SECONDS_MAX).optional(),
    timeoutSeconds: z.number().int().min(0).max(SECONDS_MAX).optional(),
    successThreshold: z.number().int().min(1).max(1000).optional(),
    failureThreshold: z.number().int().min(1).max(1000).optional(),
    initialDelaySeconds: z.number().int().min(0).optional(),
  })
  .refine((p) => (p.tcpSocket === undefined) !== (p.httpGet === undefined), {
    error: 'must have exactly one of tcpSocket or httpGet (exec and grpc probes are not supported)',
  });
type ProbeJson = z.infer<typeof ProbeJson>;

const ProbeString = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON (a Kubernetes probe)' });
    return z.NEVER;
  }
}).pipe(ProbeJson);

/**
 * THE environment schema: every variable the queue-proxy reads, with its default. Empty strings
 * count as unset. Defaults follow Knative's queue-proxy where it has one.
 */
const EnvSchema = z.object({
  /** Identity of the stats (required, set by the webhook / local runtime). */
  SERVING_NAMESPACE: z.string({ error: 'is required (the namespace the stats are reported for)' }).min(1),
  SERVING_REVISION: z.string({ error: 'is required (the revision the stats are reported for)' }).min(1),
  /** Default: the host name. */
  SERVING_POD: z.string().min(1).optional(),
  /** The address to bind the serving and metrics ports to. */
  SERVING_POD_IP: z.string().min(1).default('127.0.0.1'),
  QUEUE_SERVING_PORT: intIn(1, PORT_MAX).default(8012),
  METRICS_PORT: intIn(1, PORT_MAX).default(9091),
  USER_HOST: z.string().min(1).default('127.0.0.1'),
  USER_PORT: intIn(1, PORT_MAX).default(8080),
  CONTAINER_CONCURRENCY: intIn(0, 1000).default(0),
  REVISION_TIMEOUT_SECONDS: intIn(1, SECONDS_MAX).default(300),
  QUEUE_DRAIN_TIMEOUT_SECONDS: intIn(1, 3600).default(30),
  /** Not a Knative name: our stand-in for its drain sleep, kept short (the activator drops an unready pod at once). */
  QUEUE_DRAIN_GRACE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds in [0, 3600]' })
    .min(0, { error: 'must be a number of seconds in [0, 3600]' })
    .max(3600, { error: 'must be a number of seconds in [0, 3600]' })
    .default(1),
  /** Default: a TCP connect to USER_HOST:USER_PORT. */
  SERVING_READINESS_PROBE: ProbeString.optional(),
  /** Unset: stats are only logged and exported as metrics. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  STATS_SHARDS: intIn(1, 4096).default(16),
  /** Prefix of the Redis keys (tests use a random one); must match the autoscaler's. */
  REDIS_KEY_PREFIX: z.string().max(200, { error: 'must be at most 200 characters' }).default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }).default('info'),
});
type Env = z.infer<typeof EnvSchema>;

/** Knative: periodSeconds 0 means "probe aggressively"; we then re-check every second once ready. */
const PROBE_DEFAULTS = { periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

function probePort(port: number | string | undefined, userPort: number): number {
  return typeof port === 'number' && port > 0 ? port : typeof port === 'string' && /^\d+$/.test(port) && Number(port) > 0 ? Number(port) : userPort;
}

function toProbeConfig(p: ProbeJson | undefined, env: Env): ReadinessProbeConfig {
  const periodSeconds = p?.periodSeconds || PROBE_DEFAULTS.periodSeconds;
  const timeoutSeconds = p?.timeoutSeconds || PROBE_DEFAULTS.timeoutSeconds;
  const common = {
    periodMs: periodSeconds * 1000,
    timeoutMs: timeoutSeconds * 1000,
    successThreshold: p?.successThreshold ?? PROBE_DEFAULTS.successThreshold,
    failureThreshold: p?.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
  };
  if (p?.httpGet) {
    const g = p.httpGet;
    const path = g.path === undefined || g.path === '' ? '/' : g.path.startsWith('/') ? g.path : `/${g.path}`;
    const headers = (g.httpHeaders ?? []).map((h) => [h.name, h.value] as const);
    return { ...common, target: { kind: 'http', host: g.host || env.USER_HOST, port: probePort(g.port, env.USER_PORT), path, headers } };
  }
  const t = p?.tcpSocket;
  return { ...common, target: { kind: 'tcp', host: t?.host || env.USER_HOST, port: probePort(t?.port, env.USER_PORT) } };
}

function describeIssues(error: z.ZodError, raw: Record<string, string | undefined>): { message: string; variables: string[] } {
  const variables: string[] = [];
  const lines = error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    if (!variables.includes(name)) variables.push(name);
    const value = raw[name];
    const got = value === undefined ? 'unset' : `got ${JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)}`;
    const where = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join('.')})` : '';
    return `${name}: ${issue.message}${where}; ${got}`;
  });
  return { message: `invalid environment: ${lines.join(' | ')}`, variables };
}

/**
 * Parses the queue-proxy's environment (Knative's variable names) with one zod schema.
 * Throws an `EnvError` (code QP_ENV_INVALID) naming every variable at fault, its value and the range.
 */
export function parseEnv(env: Record<string, string | undefined>, defaults: { hostname: string }): QueueProxyConfig {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key];
    raw[key] = v === undefined || v.trim() === '' ? undefined : v.trim();
  }
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const { message, variables } = describeIssues(parsed.error, raw);
    throw new EnvError(message, variables);
  }
  const e = parsed.data;
  return {
    namespace: e.SERVING_NAMESPACE,
    revision: e.SERVING_REVISION,
    pod: e.SERVING_POD ?? defaults.hostname,
    bindHost: e.SERVING_POD_IP,
    servingPort: e.QUEUE_SERVING_PORT,
    metricsPort: e.METRICS_PORT,
    userHost: e.USER_HOST,
    userPort: e.USER_PORT,
    containerConcurrency: e.CONTAINER_CONCURRENCY,
    revisionTimeoutMs: e.REVISION_TIMEOUT_SECONDS * 1000,
    drainTimeoutMs: e.QUEUE_DRAIN_TIMEOUT_SECONDS * 1000,
    drainGraceMs: Math.min(e.QUEUE_DRAIN_GRACE_SECONDS, e.QUEUE_DRAIN_TIMEOUT_SECONDS) * 1000,
    readinessProbe: toProbeConfig(e.SERVING_READINESS_PROBE, e),
    redisUrl: e.REDIS_URL,
    statsShards: e.STATS_SHARDS,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    logLevel: e.LOG_LEVEL,
  };
}

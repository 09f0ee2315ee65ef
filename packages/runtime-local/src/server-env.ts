// The runtime API binary's environment (one zod schema, every variable with its default).
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** dist/main.js → packages/queue-proxy/dist/main.js, wherever the repo is. */
export const DEFAULT_QUEUE_PROXY_MAIN = fileURLToPath(new URL('../../queue-proxy/dist/main.js', import.meta.url));

const listen = z
  .string()
  .regex(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):\d{1,5}$/, { error: 'must be <127.x.y.z>:<port> (port 0: any free port)' })
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  })
  .refine((l) => l.port <= 65_535, { error: 'port must be in 0..65535' });

const jsonStringMap = z.string().transform((s, ctx) => {
  try {
    const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(s));
    if (parsed.success) return parsed.data;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings, e.g. {"LOG_LEVEL":"warn"}' });
  return z.NEVER;
});

const ms = (max: number) => z.coerce.number().int().min(0).max(max);

export const runtimeEnvSchema = z.object({
  /** Where the API listens; only loopback. Default 127.0.0.1:0 (the URL is printed on stdout). */
  LISTEN: listen.default({ host: '127.0.0.1', port: 0 }),
  /** REDIS_URL of every queue-proxy (their stats). Unset: the queue-proxies log stats instead. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' }).optional(),
  /** Pod addresses (inside 127.0.0.0/8). */
  IP_RANGE: z.string().default('127.1.0.0/16'),
  /** Container logs; default a temp dir (removed on exit). */
  LOG_DIR: z.string().min(1).optional(),
  /** The queue-proxy binary (run with this node). */
  QUEUE_PROXY_MAIN: z.string().min(1).default(DEFAULT_QUEUE_PROXY_MAIN),
  /** Extra env for every queue-proxy, as a JSON object. */
  QUEUE_PROXY_ENV: jsonStringMap.optional(),
  PROBE_INTERVAL_MS: ms(60_000).pipe(z.number().min(10)).default(1000),
  TERMINATION_GRACE_MS: ms(3_600_000).default(30_000),
  /** Watch heartbeat period. */
  HEARTBEAT_MS: ms(600_000).pipe(z.number().min(100)).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

/** Parses the environment; the error message names the variable, its value and the rule. */
export function parseRuntimeEnv(env: Readonly<Record<string, string | undefined>>): RuntimeEnv {
  const r = runtimeEnvSchema.safeParse(env);
  if (r.success) return r.data;
  const msgs = r.error.issues.map((i) => {
    const key = String(i.path[0] ?? '?');
    return `${key}=${JSON.stringify(env[key] ?? null)}: ${i.message}`;
  });
  throw new Error(`invalid environment: ${msgs.join('; ')}`);
}

import { z } from 'zod';

const MAX_MS = 3_600_000;

const msVar = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number of milliseconds` })
    .min(0, { error: `${name} must be >= 0` })
    .max(MAX_MS, { error: `${name} must be <= ${MAX_MS}` });

/**
 * The sample app's environment, one schema. Every variable is optional:
 * - PORT (8080), HOST (127.0.0.1): where to listen.
 * - LATENCY_MS (0): wait before answering; a request's `?latency=<ms>` overrides it.
 * - JITTER_MS (0): plus a uniformly random extra wait in [0, JITTER_MS).
 * - CPU_MS (0): busy work per request (blocks the event loop, like a CPU-bound handler);
 *   a request's `?cpu=<ms>` overrides it.
 * - FAILURE_RATE (0): probability in [0, 1] of answering 500.
 * - START_DELAY_MS (0): wait this long before listening (simulates app start time).
 * - SHUTDOWN_TIMEOUT_MS (30000): on SIGTERM, in-flight requests get this long to finish.
 * - LOG_REQUESTS (false): log a line when a request arrives (tests wait on it).
 * - SERVING_POD: the name in the response body (default: the hostname).
 */
export const sampleAppEnvSchema = z.object({
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int({ error: 'PORT must be an integer' })
    .min(1, { error: 'PORT must be in 1..65535' })
    .max(65_535, { error: 'PORT must be in 1..65535' })
    .default(8080),
  HOST: z.string().min(1, { error: 'HOST must not be empty' }).default('127.0.0.1'),
  LATENCY_MS: msVar('LATENCY_MS').default(0),
  JITTER_MS: msVar('JITTER_MS').default(0),
  CPU_MS: msVar('CPU_MS').default(0),
  FAILURE_RATE: z.coerce
    .number({ error: 'FAILURE_RATE must be a number' })
    .min(0, { error: 'FAILURE_RATE must be in 0..1' })
    .max(1, { error: 'FAILURE_RATE must be in 0..1' })
    .default(0),
  START_DELAY_MS: msVar('START_DELAY_MS').default(0),
  SHUTDOWN_TIMEOUT_MS: msVar('SHUTDOWN_TIMEOUT_MS').default(30_000),
  LOG_REQUESTS: z
    .enum(['1', '0', 'true', 'false', ''], { error: 'LOG_REQUESTS must be 1, 0, true or false' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  SERVING_POD: z.string().min(1).optional(),
});

export interface SampleAppConfig {
  port: number;
  host: string;
  podName: string;
  latencyMs: number;
  jitterMs: number;
  cpuMs: number;
  failureRate: number;
  startDelayMs: number;
  shutdownTimeoutMs: number;
  logRequests: boolean;
}

/** Thrown by `parseSampleAppEnv`; `variable` names the first offending variable. */
export class SampleAppEnvError extends Error {
  readonly code = 'SAMPLE_APP_INVALID_ENV';
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'SampleAppEnvError';
  }
}

/** Parses the environment once (in main). `hostname` is the pod name when SERVING_POD is unset. */
export function parseSampleAppEnv(env: Record<string, string | undefined>, hostname: string): SampleAppConfig {
  const parsed = sampleAppEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'env');
    const value = env[variable];
    throw new SampleAppEnvError(`invalid ${variable}=${JSON.stringify(value)}: ${issue?.message ?? 'invalid'}`, variable);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    podName: e.SERVING_POD ?? hostname,
    latencyMs: e.LATENCY_MS,
    jitterMs: e.JITTER_MS,
    cpuMs: e.CPU_MS,
    failureRate: e.FAILURE_RATE,
    startDelayMs: e.START_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logRequests: e.LOG_REQUESTS,
  };
}

// The webhook's environment: one zod schema, every variable with its default. Parsed once in main.
import { z } from 'zod';
import { SYSTEM_NAMESPACE } from './constants.js';
import { WebhookError } from './errors.js';
import type { InjectionConfig, ResourceList } from './injection-config.js';
import { DEFAULT_INJECTION_CONFIG } from './injection-config.js';

const int = (min: number, max: number): z.ZodCoercedNumber<unknown> =>
  z.coerce.number().int({ error: `must be an integer in [${min}, ${max}]` }).min(min, { error: `must be an integer in [${min}, ${max}]` }).max(max, { error: `must be an integer in [${min}, ${max}]` });
const quantity = z.string().regex(/^[0-9.]+(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity like 25m, 64Mi or 1');

export const webhookEnvSchema = z.object({
  WEBHOOK_HOST: z.string().min(1).default('0.0.0.0'),
  WEBHOOK_PORT: int(0, 65_535).default(8443),
  /** Plain-HTTP /metrics and /healthz for Prometheus; 0 = off. */
  METRICS_PORT: int(0, 65_535).default(9090),
  /** The serving certificate (a kubernetes.io/tls Secret mounted as files). Unset: generated at start. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** When generating: the SANs of the serving certificate (comma-separated IPs and DNS names). */
  TLS_HOSTS: z.string().min(1).default('127.0.0.1,localhost'),
  /** When generating: write the CA's PEM here (for the caBundle of the webhook configurations). */
  TLS_CA_OUT_FILE: z.string().min(1).optional(),
  QUEUE_PROXY_IMAGE: z.string().min(1).default(DEFAULT_INJECTION_CONFIG.image),
  QUEUE_PROXY_IMAGE_PULL_POLICY: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  QUEUE_PROXY_CPU_REQUEST: quantity.default('25m'),
  QUEUE_PROXY_MEMORY_REQUEST: quantity.default('64Mi'),
  QUEUE_PROXY_CPU_LIMIT: quantity.optional(),
  QUEUE_PROXY_MEMORY_LIMIT: quantity.default('256Mi'),
  /** Passed to every queue-proxy (REDIS_URL). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** Passed to every queue-proxy as REDIS_KEY_PREFIX (the autoscaler's KPA_PREFIX). */
  KPA_PREFIX: z.string().max(128).optional(),
  STATS_SHARDS: int(1, 4096).optional(),
  REVISION_TIMEOUT_SECONDS: int(1, 86_400).default(DEFAULT_INJECTION_CONFIG.revisionTimeoutSeconds),
  SYSTEM_NAMESPACE: z.string().min(1).default(SYSTEM_NAMESPACE),
  /** `kubernetes`: watch config-autoscaler (in-cluster or $KUBECONFIG); `defaults`: Knative's defaults. */
  CONFIG_SOURCE: z.enum(['kubernetes', 'defaults']).default('kubernetes'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type WebhookEnv = z.infer<typeof webhookEnvSchema>;

/** Parses the environment; throws WEBHOOK_ENV_INVALID naming the variable, its value and the rule. */
export function parseWebhookEnv(env: Readonly<Record<string, string | undefined>>): WebhookEnv {
  const cleaned: Record<string, string | undefined> = {};
  for (const key of Object.keys(webhookEnvSchema.shape)) cleaned[key] = env[key] === '' ? undefined : env[key];
  const r = webhookEnvSchema.safeParse(cleaned);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      return `${key}=${JSON.stringify(cleaned[key] ?? null)}: ${i.message}`;
    });
    throw new WebhookError('WEBHOOK_ENV_INVALID', `invalid environment: ${msgs.join('; ')}`);
  }
  if ((r.data.TLS_CERT_FILE === undefined) !== (r.data.TLS_KEY_FILE === undefined)) {
    throw new WebhookError('WEBHOOK_ENV_INVALID', 'invalid environment: TLS_CERT_FILE and TLS_KEY_FILE go together (set both, or neither to generate a certificate)');
  }
  return r.data;
}

function resourceList(cpu: string | undefined, memory: string | undefined): ResourceList | undefined {
  const list: ResourceList = {};
  if (cpu !== undefined) list.cpu = cpu;
  if (memory !== undefined) list.memory = memory;
  return Object.keys(list).length === 0 ? undefined : list;
}

/** The queue-proxy injection settings from the parsed environment. */
export function injectionConfigFromEnv(env: WebhookEnv): InjectionConfig {
  const requests = resourceList(env.QUEUE_PROXY_CPU_REQUEST, env.QUEUE_PROXY_MEMORY_REQUEST);
  const limits = resourceList(env.QUEUE_PROXY_CPU_LIMIT, env.QUEUE_PROXY_MEMORY_LIMIT);
  return {
    image: env.QUEUE_PROXY_IMAGE,
    ...(env.QUEUE_PROXY_IMAGE_PULL_POLICY === undefined ? {} : { imagePullPolicy: env.QUEUE_PROXY_IMAGE_PULL_POLICY }),
    ...(env.REDIS_URL === undefined ? {} : { redisUrl: env.REDIS_URL }),
    ...(env.KPA_PREFIX === undefined ? {} : { redisKeyPrefix: env.KPA_PREFIX }),
    ...(env.STATS_SHARDS === undefined ? {} : { statsShards: env.STATS_SHARDS }),
    revisionTimeoutSeconds: env.REVISION_TIMEOUT_SECONDS,
    resources: { ...(requests === undefined ? {} : { requests }), ...(limits === undefined ? {} : { limits }) },
  };
}

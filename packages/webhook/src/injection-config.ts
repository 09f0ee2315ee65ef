// What the webhook puts into every injected queue-proxy: image, Redis, resources. Set once from
// the webhook's environment (main.ts) and passed in.

export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface InjectionConfig {
  /** The queue-proxy image, e.g. `kpa-ts/queue-proxy:dev`. */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** The bus the queue-proxy publishes stats to; unset: no REDIS_URL (stats only logged). */
  redisUrl?: string;
  /** REDIS_KEY_PREFIX of the queue-proxy (must match the autoscaler's KPA_PREFIX); unset: not passed. */
  redisKeyPrefix?: string;
  /** STATS_SHARDS of the queue-proxy (must match the autoscaler's); unset: not passed. */
  statsShards?: number;
  /** REVISION_TIMEOUT_SECONDS of the queue-proxy. */
  revisionTimeoutSeconds: number;
  resources: { requests?: ResourceList; limits?: ResourceList };
}

/** Knative's queue-proxy sidecar defaults (25m CPU requested), a little memory for Node. */
export const DEFAULT_INJECTION_CONFIG: Readonly<InjectionConfig> = Object.freeze({
  image: 'kpa-ts/queue-proxy:dev',
  revisionTimeoutSeconds: 300,
  resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '256Mi' } },
});

// The queue-proxy container the webhook injects, and the probe that replaces the user
// container's: both pure builders.
import {
  NETWORK_PROBE_HEADER,
  NETWORK_PROBE_QUEUE,
  QUEUE_METRICS_PORT,
  QUEUE_PROXY_CONTAINER,
  QUEUE_SERVING_PORT,
} from './constants.js';
import type { InjectionConfig } from './injection-config.js';
import type { Probe } from './kube-objects.js';

export interface QueueProxyInputs {
  revision: string;
  userPort: number;
  containerConcurrency: number;
  /** The user container's readiness probe for the queue-proxy to run (SERVING_READINESS_PROBE). */
  userProbe: Record<string, unknown>;
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

const fieldRef = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** The env the queue-proxy reads (packages/queue-proxy/src/env.ts), in a stable order. */
export function queueProxyEnv(config: InjectionConfig, inputs: QueueProxyInputs): EnvVar[] {
  const env: EnvVar[] = [
    fieldRef('SERVING_NAMESPACE', 'metadata.namespace'),
    fieldRef('SERVING_POD', 'metadata.name'),
    fieldRef('SERVING_POD_IP', 'status.podIP'),
    { name: 'SERVING_REVISION', value: inputs.revision },
    { name: 'USER_PORT', value: String(inputs.userPort) },
    { name: 'QUEUE_SERVING_PORT', value: String(QUEUE_SERVING_PORT) },
    { name: 'METRICS_PORT', value: String(QUEUE_METRICS_PORT) },
    { name: 'CONTAINER_CONCURRENCY', value: String(inputs.containerConcurrency) },
    { name: 'REVISION_TIMEOUT_SECONDS', value: String(config.revisionTimeoutSeconds) },
    { name: 'SERVING_READINESS_PROBE', value: JSON.stringify(inputs.userProbe) },
  ];
  if (config.redisUrl !== undefined) env.push({ name: 'REDIS_URL', value: config.redisUrl });
  if (config.redisKeyPrefix !== undefined) env.push({ name: 'REDIS_KEY_PREFIX', value: config.redisKeyPrefix });
  if (config.statsShards !== undefined) env.push({ name: 'STATS_SHARDS', value: String(config.statsShards) });
  return env;
}

/** The injected sidecar: ports 8012 (serving) and 9091 (metrics), env, resources. */
export function queueProxyContainer(config: InjectionConfig, inputs: QueueProxyInputs): Record<string, unknown> {
  return {
    name: QUEUE_PROXY_CONTAINER,
    image: config.image,
    ...(config.imagePullPolicy === undefined ? {} : { imagePullPolicy: config.imagePullPolicy }),
    ports: [
      { name: 'queue-port', containerPort: QUEUE_SERVING_PORT, protocol: 'TCP' },
      { name: 'queue-metrics', containerPort: QUEUE_METRICS_PORT, protocol: 'TCP' },
    ],
    env: queueProxyEnv(config, inputs),
    resources: structuredClone(config.resources),
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
}

/**
 * The user container's new readiness probe: an HTTP GET to the queue-proxy with
 * `K-Network-Probe: queue`, so the Pod is Ready exactly when the queue-proxy says the user container
 * is. Checked every second (the queue-proxy itself probes the user container at the user's pace);
 * timeout and failure threshold are the user's.
 */
export function queueProbe(userProbe: Probe | undefined): Record<string, unknown> {
  return {
    httpGet: {
      path: '/',
      port: QUEUE_SERVING_PORT,
      httpHeaders: [{ name: NETWORK_PROBE_HEADER, value: NETWORK_PROBE_QUEUE }],
    },
    periodSeconds: 1,
    timeoutSeconds: userProbe?.timeoutSeconds ?? 1,
    successThreshold: 1,
    failureThreshold: userProbe?.failureThreshold ?? 3,
  };
}

import type { RevisionTemplate } from './types.js';

export const DEFAULT_APP_PORT = 8080;
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface PodAddress {
  name: string;
  ip: string;
  queueServingPort: number;
  metricsPort: number;
}

/**
 * The user container's env: Knative's PORT plus HOST (its own pod address, since every pod shares
 * the loopback interface), and the downward-API-like SERVING_* names. The template's app env wins.
 */
export function appEnv(t: RevisionTemplate, pod: PodAddress): Record<string, string> {
  return {
    PORT: String(t.app.port ?? DEFAULT_APP_PORT),
    HOST: pod.ip,
    SERVING_NAMESPACE: t.namespace,
    SERVING_REVISION: t.revision,
    SERVING_POD: pod.name,
    SERVING_POD_IP: pod.ip,
    ...t.app.env,
  };
}

/**
 * The queue-proxy's env in Knative's names (what the webhook injects on Kubernetes). Precedence:
 * runtime values < `extra` (the runtime's queueProxy.env, REDIS_URL) < the template's env.
 */
export function queueProxyEnv(t: RevisionTemplate, pod: PodAddress, extra: Record<string, string> = {}): Record<string, string> {
  const userPort = t.app.port ?? DEFAULT_APP_PORT;
  return {
    SERVING_NAMESPACE: t.namespace,
    SERVING_REVISION: t.revision,
    SERVING_POD: pod.name,
    SERVING_POD_IP: pod.ip,
    QUEUE_SERVING_PORT: String(pod.queueServingPort),
    METRICS_PORT: String(pod.metricsPort),
    USER_PORT: String(userPort),
    USER_HOST: pod.ip,
    CONTAINER_CONCURRENCY: String(t.containerConcurrency),
    REVISION_TIMEOUT_SECONDS: String(t.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
    SERVING_READINESS_PROBE: JSON.stringify({ tcpSocket: { port: userPort, host: pod.ip } }),
    ...extra,
    ...t.env,
  };
}

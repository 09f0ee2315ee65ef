import { describe, expect, it } from '@jest/globals';
import { appEnv, queueProxyEnv, type PodAddress, type RevisionTemplate } from '@kpa-ts/runtime-local';

const t: RevisionTemplate = {
  namespace: 'demo',
  revision: 'hello-00001',
  containerConcurrency: 10,
  app: { command: 'node', args: ['app.js'], env: { LATENCY_MS: '50' } },
};
const addr: PodAddress = { name: 'hello-00001-bcdfg', ip: '127.1.0.5', queueServingPort: 8012, metricsPort: 9091 };

describe('container env', () => {
  it("gives the queue-proxy Knative's variables for this pod", () => {
    expect(queueProxyEnv(t, addr, { REDIS_URL: 'redis://127.0.0.1:6390' })).toEqual({
      SERVING_NAMESPACE: 'demo',
      SERVING_REVISION: 'hello-00001',
      SERVING_POD: 'hello-00001-bcdfg',
      SERVING_POD_IP: '127.1.0.5',
      QUEUE_SERVING_PORT: '8012',
      METRICS_PORT: '9091',
      USER_PORT: '8080',
      USER_HOST: '127.1.0.5',
      CONTAINER_CONCURRENCY: '10',
      REVISION_TIMEOUT_SECONDS: '300',
      SERVING_READINESS_PROBE: '{"tcpSocket":{"port":8080,"host":"127.1.0.5"}}',
      REDIS_URL: 'redis://127.0.0.1:6390',
    });
  });

  it("lets the template's env win over the runtime's", () => {
    const env = queueProxyEnv({ ...t, timeoutSeconds: 60, app: { ...t.app, port: 3000 }, env: { REDIS_URL: 'redis://other:1', CONTAINER_CONCURRENCY: '1' } }, addr, { REDIS_URL: 'redis://x:1' });
    expect(env).toMatchObject({ REDIS_URL: 'redis://other:1', CONTAINER_CONCURRENCY: '1', USER_PORT: '3000', REVISION_TIMEOUT_SECONDS: '60' });
    expect(JSON.parse(env['SERVING_READINESS_PROBE'] ?? '')).toEqual({ tcpSocket: { port: 3000, host: '127.1.0.5' } });
  });

  it('gives the app PORT/HOST on the pod address, the SERVING_* names, and its own env', () => {
    expect(appEnv(t, addr)).toEqual({
      PORT: '8080',
      HOST: '127.1.0.5',
      SERVING_NAMESPACE: 'demo',
      SERVING_REVISION: 'hello-00001',
      SERVING_POD: 'hello-00001-bcdfg',
      SERVING_POD_IP: '127.1.0.5',
      LATENCY_MS: '50',
    });
  });
});

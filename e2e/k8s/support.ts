// Shared by the k8s suites: a plane + process-kubelet per suite file, a namespace per test, and
// small waits over the real API (no mocks; every wait is bounded).
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '@kpa-ts/testkit';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { ProcessKubelet, type KubeletEvent, type KubeletOptions } from './kubelet/index.js';

export interface K8sEnv {
  plane: ControlPlane;
  kubelet: ProcessKubelet;
  core: CoreV1Api;
  apps: AppsV1Api;
  events: KubeletEvent[];
  logDir: string;
  stop(): Promise<void>;
}

/** A /24 of loopback addresses for one suite, away from the local runtime's 127.1.0.0/16. */
export function suiteCIDR(): string {
  return `127.${21 + (process.pid % 30)}.${Math.floor(Math.random() * 250)}.0/24`;
}

/** One control plane and one process-kubelet (node `process-node`) for a suite. */
export async function startK8s(opts: Partial<KubeletOptions> = {}): Promise<K8sEnv> {
  const t0 = Date.now();
  const plane = await startControlPlane();
  console.log(`[e2e-k8s] control plane up in ${Date.now() - t0} ms (${JSON.stringify(plane.state.startupSeconds)})`);
  const logDir = await mkdtemp(join(tmpdir(), 'kpa-kubelet-'));
  const events: KubeletEvent[] = [];
  const kubelet = new ProcessKubelet({
    kubeConfig: plane.kubeConfig,
    podCIDR: suiteCIDR(),
    logDir,
    heartbeatMs: 5000,
    onEvent: (e) => events.push(e),
    ...opts,
  });
  try {
    await kubelet.start();
  } catch (err) {
    await plane.stop();
    throw err;
  }
  return {
    plane,
    kubelet,
    core: plane.kubeConfig.makeApiClient(CoreV1Api),
    apps: plane.kubeConfig.makeApiClient(AppsV1Api),
    events,
    logDir,
    stop: async () => {
      await kubelet.stop();
      await plane.stop();
      if (process.env['KPA_KEEP_CP'] !== '1') await rm(logDir, { recursive: true, force: true });
    },
  };
}

let nsCounter = 0;
/** A fresh namespace for one test. */
export async function createNamespace(env: K8sEnv, prefix: string): Promise<string> {
  const name = `${prefix}-${process.pid % 10_000}-${++nsCounter}`;
  await env.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function listPods(env: K8sEnv, namespace: string, labelSelector?: string): Promise<V1Pod[]> {
  const list = await env.core.listNamespacedPod({ namespace, ...(labelSelector === undefined ? {} : { labelSelector }) });
  return list.items;
}

/** Waits until exactly `count` pods match and all are Running + Ready (not terminating); returns them. */
export async function waitForReadyPods(env: K8sEnv, namespace: string, labelSelector: string, count: number, timeoutMs = 30_000): Promise<V1Pod[]> {
  return waitFor(
    async () => {
      const pods = await listPods(env, namespace, labelSelector);
      const live = pods.filter((p) => p.metadata?.deletionTimestamp == null);
      return live.length === count && pods.length === count && live.every(isReady) ? live : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `${count} ready pods for ${labelSelector} in ${namespace}` },
  );
}

export function sampleDeployment(name: string, opts: { replicas: number; annotations?: Record<string, string>; env?: Array<{ name: string; value: string }> }): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }) },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'app',
              image: 'kpa-ts/sample-app:dev',
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [{ name: 'SHUTDOWN_TIMEOUT_MS', value: '2000' }, ...(opts.env ?? [])],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

/** GET http://ip:port/path → status, body and headers. Only 127.0.0.0/8. */
export function httpGet(ip: string, port: number, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  if (!ip.startsWith('127.')) throw new Error(`refusing to send traffic to ${ip}: loopback only`);
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path, headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

// The process-kubelet on a real control plane: a Deployment of the sample app becomes Running +
// Ready pods on their own 127.x IPs, /scale makes pods come and go (SIGTERM, then the final
// delete), crashes restart with back-off, the downward API reaches the env, unknown images wait.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '@kpa-ts/testkit';
import { ProcessKubelet, liveGroups, type KubeletEvent } from './kubelet/index.js';
import { createNamespace, httpGet, isReady, listPods, sampleDeployment, startK8s, suiteCIDR, waitForReadyPods, type K8sEnv } from './support.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let env: K8sEnv;

beforeAll(async () => {
  env = await startK8s();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 30_000);

describe('process-kubelet', () => {
  it('registers a Ready node with capacity', async () => {
    const node = await env.core.readNode({ name: 'process-node' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(Number(node.status?.capacity?.['pods'])).toBeGreaterThan(0);
    expect(node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe('127.0.0.1');
  });

  it('runs a Deployment of the sample app: 2 Running+Ready pods on distinct 127.x IPs that answer HTTP; /scale adds and removes pods with SIGTERM', async () => {
    const ns = await createNamespace(env, 'sample');
    const t0 = Date.now();
    await env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('web', { replicas: 2 }) });
    const pods = await waitForReadyPods(env, ns, 'app=web', 2);
    const readyMs = Date.now() - t0;
    const ips = pods.map((p) => p.status?.podIP ?? '');
    expect(new Set(ips).size).toBe(2);
    for (const pod of pods) {
      const ip = pod.status?.podIP ?? '';
      expect(ip).toMatch(/^127\./);
      expect(pod.status?.podIPs?.[0]?.ip).toBe(ip);
      expect(pod.status?.hostIP).toBe('127.0.0.1');
      expect(pod.spec?.nodeName).toBe('process-node');
      const types = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
      expect(types).toMatchObject({ PodScheduled: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True' });
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0 });
      const res = await httpGet(ip, 8080);
      expect(res.status).toBe(200);
      expect(res.body).toContain(pod.metadata?.name ?? '?');
    }
    await waitFor(async () => (await env.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).status?.availableReplicas === 2, {
      timeoutMs: 10_000,
      what: 'deployment available',
    });

    // scale up through the scale subresource
    const t1 = Date.now();
    await env.apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 3 } } }, MERGE);
    const three = await waitForReadyPods(env, ns, 'app=web', 3);
    const upMs = Date.now() - t1;
    expect(new Set(three.map((p) => p.status?.podIP)).size).toBe(3);

    // scale down: two pods get SIGTERM, drain, exit by themselves, and are deleted
    const before = new Set(three.map((p) => p.metadata?.name));
    const t2 = Date.now();
    await env.apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 1 } } }, MERGE);
    const one = await waitForReadyPods(env, ns, 'app=web', 1);
    const downMs = Date.now() - t2;
    const gone = [...before].filter((n) => n !== one[0]?.metadata?.name);
    expect(gone).toHaveLength(2);
    for (const name of gone) {
      const sigterm = env.events.find((e) => e.pod === name && e.type === 'signalled' && e.signal === 'SIGTERM');
      expect(sigterm).toBeDefined();
      const exit = env.events.find((e) => e.pod === name && e.type === 'exited' && e.stop !== undefined);
      expect(exit?.stop).toMatchObject({ graceful: true, killed: false, exitCode: 0 });
      const uid = (three.find((p) => p.metadata?.name === name) as V1Pod).metadata?.uid ?? '';
      const log = await readFile(join(env.logDir, `${ns}_${name}_${uid}`, 'app.log'), 'utf8');
      expect(log).toContain('"signal":"SIGTERM"');
    }
    console.log(`[e2e-k8s] kubelet: ${JSON.stringify({ twoReadyMs: readyMs, scaleUp2to3Ms: upMs, scaleDown3to1Ms: downMs })}`);
  }, 60_000);

  it('restarts a crashing container with back-off and reports restartCount and lastState', async () => {
    const ns = await createNamespace(env, 'crash');
    await env.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'crasher' },
        spec: { containers: [{ name: 'c', image: 'kpa-ts/node', args: ['-e', 'setTimeout(() => process.exit(3), 50)'] }] },
      },
    });
    const pod = await waitFor(
      async () => {
        const p = await env.core.readNamespacedPod({ name: 'crasher', namespace: ns });
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
      },
      { timeoutMs: 20_000, what: 'two restarts' },
    );
    const cs = pod.status?.containerStatuses?.[0];
    expect(cs?.lastState?.terminated?.exitCode).toBe(3);
    expect(pod.status?.phase).toBe('Running');
    await env.core.deleteNamespacedPod({ name: 'crasher', namespace: ns });
    await waitFor(async () => (await listPods(env, ns)).length === 0, { timeoutMs: 15_000, what: 'crasher deleted' });
  }, 40_000);

  it('passes env with fieldRefs (name, namespace, podIP, labels, annotations) and $(VAR) expansion', async () => {
    const ns = await createNamespace(env, 'env');
    const script = `require('http').createServer((q, s) => s.end(JSON.stringify(process.env))).listen(9000, process.env.POD_IP)`;
    await env.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'envy', labels: { team: 'blue' }, annotations: { note: 'hi' } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'kpa-ts/node',
              args: ['-e', script],
              ports: [{ containerPort: 9000 }],
              readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
              env: [
                { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'MY_TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
                { name: 'MY_NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
                { name: 'GREETING', value: 'hello $(MY_NAME)' },
              ],
            },
          ],
        },
      },
    });
    const pod = await waitFor(async () => {
      const p = await env.core.readNamespacedPod({ name: 'envy', namespace: ns });
      return isReady(p) ? p : undefined;
    }, { timeoutMs: 15_000, what: 'envy ready' });
    const ip = pod.status?.podIP ?? '';
    const seen = JSON.parse((await httpGet(ip, 9000)).body) as Record<string, string>;
    expect(seen).toMatchObject({ MY_NAME: 'envy', MY_NS: ns, MY_IP: ip, MY_TEAM: 'blue', MY_NOTE: 'hi', GREETING: 'hello envy', HOSTNAME: 'envy' });
    expect(seen['KUBECONFIG']).toBeUndefined();
  }, 30_000);

  it('SIGKILLs a container that ignores SIGTERM once the grace period is over, then deletes the pod', async () => {
    const ns = await createNamespace(env, 'stubborn');
    // Ready (the port answers) only once the SIGTERM handler is in place.
    const script = `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); require('net').createServer().listen(9000, process.env.POD_IP)`;
    const container = { name: 'c', image: 'kpa-ts/node', args: ['-e', script], ports: [{ containerPort: 9000 }], readinessProbe: { tcpSocket: { port: 9000 } } };
    await env.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'stubborn' }, spec: { terminationGracePeriodSeconds: 1, containers: [container] } } });
    await waitFor(async () => isReady(await env.core.readNamespacedPod({ name: 'stubborn', namespace: ns })), { timeoutMs: 10_000, what: 'stubborn ready' });
    const t0 = Date.now();
    await env.core.deleteNamespacedPod({ name: 'stubborn', namespace: ns });
    await waitFor(async () => (await listPods(env, ns)).length === 0, { timeoutMs: 10_000, what: 'stubborn gone' });
    const goneMs = Date.now() - t0;
    const mine = env.events.filter((e) => e.namespace === ns);
    expect(mine.filter((e) => e.type === 'signalled').map((e) => e.signal)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(mine.find((e) => e.type === 'exited' && e.stop !== undefined)?.stop).toMatchObject({ graceful: false, killed: true, signal: 'SIGKILL' });
    expect(goneMs).toBeGreaterThanOrEqual(900);
    expect(goneMs).toBeLessThan(8000);
  }, 30_000);

  it('runs a pod created with spec.nodeName on a second node, and leaves no process behind when that kubelet stops', async () => {
    const ns = await createNamespace(env, 'second');
    const events: KubeletEvent[] = [];
    const second = new ProcessKubelet({ kubeConfig: env.plane.kubeConfig, nodeName: 'second-node', podCIDR: suiteCIDR(), logDir: env.logDir, schedule: false, onEvent: (e) => events.push(e) });
    await second.start();
    try {
      await env.core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: 'pinned' }, spec: { nodeName: 'second-node', containers: [{ name: 'c', image: 'kpa-ts/node', args: ['-e', 'setInterval(() => {}, 1000)'] }] } },
      });
      await waitFor(async () => isReady(await env.core.readNamespacedPod({ name: 'pinned', namespace: ns })), { timeoutMs: 10_000, what: 'pinned ready' });
      expect(env.kubelet.pod(ns, 'pinned')).toBeUndefined();
      const pid = events.find((e) => e.type === 'started' && e.pod === 'pinned')?.pid ?? -1;
      expect(() => process.kill(pid, 0)).not.toThrow();
      const groupsBefore = liveGroups();
      await second.stop();
      await waitFor(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, { timeoutMs: 5000, what: `pid ${pid} gone` });
      expect(liveGroups()).toBe(groupsBefore - 1);
    } finally {
      await second.stop();
    }
  }, 30_000);

  it('leaves a pod with an unknown image Pending with ErrImagePull', async () => {
    const ns = await createNamespace(env, 'img');
    await env.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'nope' }, spec: { containers: [{ name: 'c', image: 'example.invalid/nope:1' }] } } });
    const pod = await waitFor(async () => {
      const p = await env.core.readNamespacedPod({ name: 'nope', namespace: ns });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull' ? p : undefined;
    }, { timeoutMs: 10_000, what: 'ErrImagePull' });
    expect(pod.status?.phase).toBe('Pending');
  }, 20_000);
});

// The Kubernetes backend and the config-autoscaler ConfigMap watcher against a real kube-apiserver
// + kube-controller-manager (scripts/control-plane; no kubelet: Pod readiness is written to the
// status subresource by the test, as a kubelet would).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigReloader, createAutoscaler, createKubernetesBackend, createKubernetesConfigWatcher, createMemoryBus, type ManagedRevision, type RevisionListener, type ScaleBackend } from '@kpa-ts/autoscaler';
import type { AutoscalerConfig } from '@kpa-ts/config';
import type { InformerTimers } from '@kpa-ts/kube';
import { startCuttableProxy, startPlane, withServer, type Plane } from '@kpa-ts/kube/testing';
import { waitFor } from '@kpa-ts/testkit';
import { PatchStrategy, setHeaderOptions, type AppsV1Api, type CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { metricValue } from './helpers.js';

const CLASS = 'kpa.autoscaling.kpa-ts.dev';
const logger = pino({ level: 'silent' });
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

class Recorder implements RevisionListener {
  readonly revisions = new Map<string, ManagedRevision>();
  readonly deleted: string[] = [];
  revisionUpserted(r: ManagedRevision): void {
    this.revisions.set(`${r.namespace}/${r.revision}`, r);
  }
  revisionDeleted(namespace: string, revision: string): void {
    this.revisions.delete(`${namespace}/${revision}`);
    this.deleted.push(`${namespace}/${revision}`);
  }
}

/** Pods get the revision label from the template here (no webhook in this suite). */
const deployment = (name: string, revision: string, annotations: Record<string, string>): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, 'kpa-ts.dev/revision': revision }, annotations: { 'autoscaling.knative.dev/class': CLASS, ...annotations } },
      spec: { containers: [{ name: 'app', image: 'kpa-ts/sample-app' }] },
    },
  },
});

describe('Kubernetes backend and config watcher (real kube-apiserver + controller-manager)', () => {
  let plane: Plane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let ns: string;

  const podsOf = async (app: string): Promise<string[]> => (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items.map((p) => p.metadata?.name ?? '');
  const markReady = (name: string, ip: string): Promise<unknown> =>
    core.patchNamespacedPodStatus({ name, namespace: ns, body: { status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } } }, merge);
  const startBackend = async (): Promise<{ backend: ScaleBackend; rec: Recorder }> => {
    const backend = createKubernetesBackend({ kubeConfig: kc, namespaces: [ns], logger, startTimeoutMs: 20_000 });
    plane.onStop(() => backend.stop());
    const rec = new Recorder();
    await backend.start(rec);
    return { backend, rec };
  };

  beforeAll(async () => {
    plane = await startPlane();
    ({ kubeConfig: kc, core, apps } = plane);
    ns = await plane.newNamespace();
  }, 120_000);
  afterAll(() => plane?.stop(), 60_000);

  it('lists Deployments of our class, scales them through /scale and counts their Ready pods', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('hello', 'hello', { 'autoscaling.knative.dev/max-scale': '3', 'kpa-ts.dev/container-concurrency': '2', 'example.com/other': 'x' }) });
    await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'plain' }, spec: { selector: { matchLabels: { app: 'plain' } }, template: { metadata: { labels: { app: 'plain' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } });
    const { backend, rec } = await startBackend();
    expect([...rec.revisions.values()]).toEqual([{ namespace: ns, revision: 'hello', annotations: { 'autoscaling.knative.dev/class': CLASS, 'autoscaling.knative.dev/max-scale': '3' }, containerConcurrency: 2 }]);

    expect(await backend.getScale(ns, 'hello')).toBe(0);
    await backend.scale(ns, 'hello', 2);
    expect(await backend.getScale(ns, 'hello')).toBe(2);
    const pods = await waitFor(async () => ((await podsOf('hello')).length === 2 ? podsOf('hello') : undefined), { what: '2 pods from the ReplicaSet' });
    expect(await backend.readyPods(ns, 'hello')).toBe(0);
    await markReady(pods[0]!, '127.0.3.1');
    await markReady(pods[1]!, '127.0.3.2');
    await waitFor(async () => (await backend.readyPods(ns, 'hello')) === 2, { what: '2 ready pods' });

    await backend.scale(ns, 'hello', 1); // unbound pods are deleted at once (no kubelet)
    await waitFor(async () => (await backend.readyPods(ns, 'hello')) === 1, { what: '1 ready pod' });
    expect((await apps.readNamespacedDeployment({ name: 'hello', namespace: ns })).spec?.replicas).toBe(1);
  });

  it('follows annotation edits, class removal and deletion; an unknown revision is a typed error', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web-v1', 'web', {}) });
    const { backend, rec } = await startBackend();
    expect(rec.revisions.get(`${ns}/web`)?.containerConcurrency).toBe(0); // revision from the template label, not the name
    await apps.patchNamespacedDeployment({ name: 'web-v1', namespace: ns, body: { spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1' } } } } } }, merge);
    await waitFor(() => rec.revisions.get(`${ns}/web`)?.annotations['autoscaling.knative.dev/min-scale'] === '1', { what: 'annotation edit' });
    await backend.scale(ns, 'web', 0);
    await expect(backend.getScale(ns, 'nope')).rejects.toMatchObject({ code: 'KUBE_UNKNOWN_REVISION' });

    await apps.patchNamespacedDeployment({ name: 'web-v1', namespace: ns, body: { spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' } } } } } }, merge);
    await waitFor(() => rec.deleted.includes(`${ns}/web`), { what: 'class removed → deleted' });
    await apps.deleteNamespacedDeployment({ name: 'hello', namespace: ns });
    await waitFor(() => rec.deleted.includes(`${ns}/hello`), { what: 'deployment deleted' });
  });

  it('two Deployments naming one revision: the first is scaled; when it goes, the other takes over', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('dup-a', 'dup', {}) });
    const { backend, rec } = await startBackend();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('dup-b', 'dup', { 'autoscaling.knative.dev/max-scale': '7' }) });
    await backend.scale(ns, 'dup', 1);
    await waitFor(async () => (await apps.readNamespacedDeploymentScale({ name: 'dup-a', namespace: ns })).spec?.replicas === 1, { what: 'dup-a scaled' });
    expect((await apps.readNamespacedDeploymentScale({ name: 'dup-b', namespace: ns })).spec?.replicas ?? 0).toBe(0);
    await apps.deleteNamespacedDeployment({ name: 'dup-a', namespace: ns });
    await waitFor(() => rec.revisions.get(`${ns}/dup`)?.annotations['autoscaling.knative.dev/max-scale'] === '7', { what: 'dup-b reported' });
    expect(rec.deleted).not.toContain(`${ns}/dup`);
    await backend.scale(ns, 'dup', 2);
    expect((await apps.readNamespacedDeploymentScale({ name: 'dup-b', namespace: ns })).spec?.replicas).toBe(2);
  });

  it('the service scales a Deployment from 0 to 1 on a poke, through /scale', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('poked', 'poked', {}) });
    const bus = createMemoryBus(4);
    const ports = bus.replica();
    const as = createAutoscaler({ name: 'as-k8s', backend: createKubernetesBackend({ kubeConfig: kc, namespaces: [ns], logger }), ...ports, shardCount: 4, registry: new Registry(), logger, tickIntervalMs: 0 });
    plane.onStop(() => as.stop());
    await as.start();
    ports.shards.set([0, 1, 2, 3]);
    bus.poke({ ns, rev: 'poked', ts: Date.now(), activator: 'activator-0' });
    await waitFor(async () => (await apps.readNamespacedDeploymentScale({ name: 'poked', namespace: ns })).spec?.replicas === 1, { what: 'poked → 1 replica' });
  });

  it('ticks read the replicas from the Deployment informer: no GET of deployments/scale, one PATCH', async () => {
    const own = await plane.newNamespace();
    await apps.createNamespacedDeployment({ namespace: own, body: deployment('cached', 'cached', { 'autoscaling.knative.dev/min-scale': '2' }) });
    const registry = new Registry();
    const backend = createKubernetesBackend({ kubeConfig: kc, namespaces: [own], logger, registry, startTimeoutMs: 20_000 });
    const bus = createMemoryBus(4);
    const ports = bus.replica();
    const as = createAutoscaler({ name: 'as-cache', backend, ...ports, shardCount: 4, registry, logger, tickIntervalMs: 0 });
    plane.onStop(() => as.stop());
    await as.start();
    ports.shards.set([0, 1, 2, 3]);
    for (let i = 0; i < 10; i++) await as.tick(); // min-scale 2: 0 → 2 at the first tick, then 2 from the cache
    expect((await apps.readNamespacedDeploymentScale({ name: 'cached', namespace: own })).spec?.replicas).toBe(2);
    expect(await metricValue(registry, 'autoscaler_kubernetes_requests_total', { verb: 'get', resource: 'deployments/scale' })).toBeUndefined();
    expect(await metricValue(registry, 'autoscaler_kubernetes_requests_total', { verb: 'patch', resource: 'deployments/scale' })).toBe(1);
    expect(await metricValue(registry, 'autoscaler_kubernetes_scale_cache_reads_total')).toBe(10);
    expect(await metricValue(registry, 'autoscaler_ticks_total')).toBe(10);
  });

  it('while the Deployment watch is down getScale GETs deployments/scale; once it runs again, the cache answers', async () => {
    const own = await plane.newNamespace();
    await apps.createNamespacedDeployment({ namespace: own, body: deployment('stale', 'stale', {}) });
    const proxy = await startCuttableProxy(plane.apiServer);
    plane.onStop(() => proxy.close());
    const restarts: (() => void)[] = [];
    const timers: InformerTimers = { setTimeout: (fn) => restarts.push(fn), clearTimeout: () => undefined }; // restarts wait for the test
    const registry = new Registry();
    const backend = createKubernetesBackend({ kubeConfig: withServer(kc, proxy.url), namespaces: [own], logger, registry, timers, startTimeoutMs: 20_000 });
    plane.onStop(() => backend.stop());
    await backend.start(new Recorder());
    const gets = async (): Promise<number> => (await metricValue(registry, 'autoscaler_kubernetes_requests_total', { verb: 'get' })) ?? 0;
    const cacheReads = async (): Promise<number> => (await metricValue(registry, 'autoscaler_kubernetes_scale_cache_reads_total')) ?? 0;
    expect(await backend.getScale(own, 'stale')).toBe(0);
    expect([await gets(), await cacheReads()]).toEqual([0, 1]);

    await proxy.cut();
    await waitFor(() => restarts.length === 2, { what: 'both informers failed, restarts pending', timeoutMs: 10_000 });
    await apps.patchNamespacedDeploymentScale({ name: 'stale', namespace: own, body: { spec: { replicas: 3 } } }, merge); // unseen by the cut watch
    await proxy.restore();
    expect(await backend.getScale(own, 'stale')).toBe(3); // the API's answer, not the stale 0
    expect([await gets(), await cacheReads()]).toEqual([1, 1]);

    for (const restart of restarts.splice(0)) restart();
    await waitFor(async () => (await backend.getScale(own, 'stale')) === 3 && (await cacheReads()) > 1, { what: 'answered from the cache again', timeoutMs: 10_000 });
  });

  it('config-autoscaler: a valid edit applies without a restart; a bad one keeps the last good config, records an Event naming the key and counts it', async () => {
    const system = await plane.newNamespace('kpa-system');
    const registry = new Registry();
    const applied: AutoscalerConfig[] = [];
    const reloader = new ConfigReloader({ apply: (c) => applied.push(c), logger, registry, source: 'test' });
    const watcher = createKubernetesConfigWatcher({ kubeConfig: kc, namespace: system, reloader, logger, instance: 'as-test' });
    await watcher.start(); // no ConfigMap yet: the defaults
    expect(reloader.current.stableWindowMs).toBe(60_000);

    await core.createNamespacedConfigMap({ namespace: system, body: { metadata: { name: 'config-autoscaler' }, data: { 'stable-window': '20s' } } });
    await waitFor(() => reloader.current.stableWindowMs === 20_000, { what: 'stable-window 20s applied' });
    expect(applied).toHaveLength(1);

    await core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: system, body: { data: { 'max-scale-down-rate': '0.5' } } }, merge);
    const events = await waitFor(async () => {
      const list = await core.listNamespacedEvent({ namespace: system, fieldSelector: 'reason=InvalidConfig' });
      return list.items.length > 0 ? list.items : undefined;
    }, { what: 'InvalidConfig event' });
    expect(events[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'ConfigMap', name: 'config-autoscaler', namespace: system } });
    expect(events[0]?.message).toContain('max-scale-down-rate');
    expect(await metricValue(registry, 'autoscaler_config_reload_failures_total')).toBe(1);
    expect(reloader.current.stableWindowMs).toBe(20_000); // last good kept
    expect(applied).toHaveLength(1);

    await core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: system, body: { data: { 'max-scale-down-rate': '4' } } }, merge);
    await waitFor(() => reloader.current.maxScaleDownRate === 4, { what: 'fixed edit applied' });
    await watcher.stop();
  });
});

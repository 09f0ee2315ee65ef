// The informers against a real kube-apiserver (scripts/control-plane): selectors reach both the
// list and the watch, isWatching() follows a cut connection and its restoration, and a start that
// cannot list gives up after its timeout with the informers stopped.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDeploymentInformer, createPodInformer, createResilientInformer, startInformers, stopInformers, watchPath, type ResilientInformer } from '@kpa-ts/kube';
import { startCuttableProxy, startPlane, withServer, type CuttableProxy, type Plane } from '@kpa-ts/kube/testing';
import { waitFor } from '@kpa-ts/testkit';
import { CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';

const logger = pino({ level: 'silent' });
const pod = (name: string, labels: Record<string, string>): V1Pod => ({ metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'x' }] } });

describe('resilient informers (real kube-apiserver)', () => {
  let plane: Plane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let ns: string;
  const informers: ResilientInformer[] = [];
  const newProxy = async (): Promise<CuttableProxy> => {
    const p = await startCuttableProxy(plane.apiServer);
    plane.onStop(() => p.close());
    return p;
  };

  beforeAll(async () => {
    plane = await startPlane();
    ({ kubeConfig: kc, core } = plane);
    ns = await plane.newNamespace();
    plane.onStop(() => stopInformers(informers));
  }, 120_000);
  afterAll(() => plane?.stop(), 60_000);

  it('a label selector and a field selector apply to the list and to the watch', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('labelled-a', { 'kpa-ts.dev/revision': 'a' }) });
    await core.createNamespacedPod({ namespace: ns, body: pod('plain-a', {}) });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'config-autoscaler' }, data: { a: '1' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'other' } } });
    const pods = new Set<string>();
    const configMaps = new Set<string>();
    const fieldSelector = 'metadata.name=config-autoscaler';
    informers.push(
      createPodInformer({ kubeConfig: kc, logger, namespace: ns, labelSelector: 'kpa-ts.dev/revision', upsert: (p) => pods.add(p.metadata?.name ?? ''), remove: (p) => pods.delete(p.metadata?.name ?? '') }),
      createResilientInformer<V1ConfigMap>({
        name: 'configmaps',
        kubeConfig: kc,
        logger,
        path: watchPath('v1', 'configmaps', ns),
        fieldSelector,
        list: () => core.listNamespacedConfigMap({ namespace: ns, fieldSelector }),
        upsert: (c) => configMaps.add(`${c.metadata?.name}:${JSON.stringify(c.data)}`),
        remove: () => undefined,
      }),
    );
    expect(await startInformers(informers, 20_000)).toBe(true);
    expect([...pods]).toEqual(['labelled-a']);
    expect([...configMaps]).toEqual(['config-autoscaler:{"a":"1"}']);
    expect(informers.every((i) => i.isWatching())).toBe(true);

    await core.createNamespacedPod({ namespace: ns, body: pod('plain-b', {}) });
    await core.createNamespacedPod({ namespace: ns, body: pod('labelled-b', { 'kpa-ts.dev/revision': 'b' }) });
    await core.patchNamespacedConfigMap({ name: 'other', namespace: ns, body: [{ op: 'add', path: '/data', value: { b: '2' } }] });
    await core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: ns, body: [{ op: 'replace', path: '/data/a', value: '3' }] });
    await waitFor(() => pods.has('labelled-b') && configMaps.has('config-autoscaler:{"a":"3"}'), { what: 'watched changes' });
    expect([...pods].sort()).toEqual(['labelled-a', 'labelled-b']);
    expect([...configMaps].every((c) => c.startsWith('config-autoscaler:'))).toBe(true);
  });

  it('isWatching() is false from a cut connection until the restarted watch runs again', async () => {
    const proxy = await newProxy();
    const names = new Set<string>();
    const informer = createDeploymentInformer({ kubeConfig: withServer(kc, proxy.url), logger, namespace: ns, backoff: { initialMs: 100, maxMs: 200 }, upsert: (d) => names.add(d.metadata?.name ?? ''), remove: () => undefined });
    informers.push(informer);
    expect(await startInformers([informer], 20_000)).toBe(true);
    expect(informer.isWatching()).toBe(true);

    await proxy.cut();
    await waitFor(() => !informer.isWatching(), { what: 'watch failure noticed', timeoutMs: 10_000 });
    await plane.apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'while-cut' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } });
    await proxy.restore();
    await waitFor(() => informer.isWatching() && names.has('while-cut'), { what: 'watching again, with the change made meanwhile', timeoutMs: 10_000 });
  });

  it('startInformers gives up after its timeout when the apiserver cannot be reached, and stops them', async () => {
    const proxy = await newProxy();
    await proxy.cut();
    let lists = 0;
    const informer = createResilientInformer<V1ConfigMap>({
      name: 'configmaps',
      kubeConfig: withServer(kc, proxy.url),
      logger,
      path: watchPath('v1', 'configmaps', ns),
      list: () => {
        lists++;
        return withServer(kc, proxy.url).makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns });
      },
      upsert: () => undefined,
      remove: () => undefined,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    expect(await startInformers([informer], 500)).toBe(false);
    const after = lists;
    expect(after).toBeGreaterThan(1); // retried meanwhile
    await proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 300)); // longer than the largest retry delay
    expect(lists).toBe(after); // stopped: no retry after the timeout
    expect(informer.isWatching()).toBe(false);
  });
});

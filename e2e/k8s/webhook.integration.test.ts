// The webhook registered in a real apiserver with manifests/webhook-configurations.yaml (service
// references swapped for https://127.0.0.1:PORT + caBundle, as envtest does), Pods run by the
// process-kubelet: injected Pods become Ready through the queue-proxy and serve on :8012; other
// classes are untouched; re-admission is idempotent; bad annotations and a bad config-autoscaler
// are rejected by the apiserver with messages naming the key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionregistrationV1Api, type V1MutatingWebhookConfiguration, type V1Pod, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '@kpa-ts/testkit';
import { generateTlsMaterial, startWebhookServer, watchConfigSource, type AutoscalerConfigSource, type WebhookServer } from '@kpa-ts/webhook';
import { REPO_ROOT } from './control-plane.js';
import { createNamespace, httpGet, listPods, sampleDeployment, startK8s, waitForReadyPods, type K8sEnv } from './support.js';

const CLASS = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev' };
let env: K8sEnv;
let server: WebhookServer;
let configSource: AutoscalerConfigSource;
const registry = new Registry();

function manifest<T>(file: string): T[] {
  return parseAllDocuments(readFileSync(join(REPO_ROOT, 'manifests', file), 'utf8')).map((d) => d.toJS() as T);
}

/** The apiserver's error message of a rejected request. */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    return parsed?.message ?? String(err);
  }
  throw new Error('the request was accepted');
}

/** Registers the manifests' webhook configurations against our server. */
async function register(caPem: string): Promise<void> {
  const api = env.plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const caBundle = Buffer.from(caPem).toString('base64');
  const local = (h: { clientConfig?: { service?: { path?: string }; url?: string; caBundle?: string } }): void => {
    h.clientConfig = { url: `${server.url}${h.clientConfig?.service?.path ?? '/'}`, caBundle };
  };
  for (const doc of manifest<V1MutatingWebhookConfiguration & V1ValidatingWebhookConfiguration>('webhook-configurations.yaml')) {
    for (const h of doc.webhooks ?? []) local(h);
    if (doc.kind === 'MutatingWebhookConfiguration') await api.createMutatingWebhookConfiguration({ body: doc });
    else await api.createValidatingWebhookConfiguration({ body: doc });
  }
}

beforeAll(async () => {
  env = await startK8s();
  for (const ns of manifest<{ metadata: { name: string; labels: Record<string, string> } }>('namespace.yaml')) await env.core.createNamespace({ body: ns });
  configSource = watchConfigSource({ kubeConfig: env.plane.kubeConfig, namespace: 'kpa-system', logger: pino({ level: 'silent' }) });
  const tls = await generateTlsMaterial({ hosts: ['127.0.0.1'] });
  server = await startWebhookServer({
    tls,
    host: '127.0.0.1',
    port: 0,
    injection: { image: 'kpa-ts/queue-proxy:dev', revisionTimeoutSeconds: 30, resources: { requests: { cpu: '25m', memory: '64Mi' } } },
    autoscalerConfig: () => configSource.current(),
    systemNamespace: 'kpa-system',
    registry,
    logger: pino({ level: 'silent' }),
  });
  await register(tls.ca);
  // The apiserver picks webhook configurations up through an informer: wait until one bites.
  const probeNs = await createNamespace(env, 'probe');
  const bad = sampleDeployment('probe', { replicas: 0, annotations: { ...CLASS, 'autoscaling.knative.dev/min-scale': '-1' } });
  await waitFor(async () => (await rejection(env.apps.createNamespacedDeployment({ namespace: probeNs, body: bad, dryRun: 'All' }))).includes('min-scale'), {
    timeoutMs: 15_000,
    intervalMs: 200,
    what: 'the webhook registered',
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await configSource?.stop();
  await env?.stop();
}, 30_000);

describe('webhook on a real apiserver', () => {
  it('injects the queue-proxy into an annotated Deployment; its pods become Ready through it and serve on podIP:8012', async () => {
    const ns = await createNamespace(env, 'inject');
    const t0 = Date.now();
    const body = sampleDeployment('shop', { replicas: 2, annotations: { ...CLASS, 'kpa-ts.dev/container-concurrency': '10' } });
    await env.apps.createNamespacedDeployment({ namespace: ns, body });
    const pods = await waitForReadyPods(env, ns, 'app=shop', 2, 30_000);
    const readyMs = Date.now() - t0;
    for (const pod of pods) {
      expect(pod.metadata?.labels?.['kpa-ts.dev/revision']).toBe('shop');
      const containers = pod.spec?.containers ?? [];
      expect(containers.map((c) => c.name)).toEqual(['app', 'queue-proxy']);
      const [app, qp] = containers;
      expect(app?.readinessProbe?.httpGet).toMatchObject({ port: 8012, httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }] });
      const qpEnv = Object.fromEntries((qp?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
      expect(qpEnv).toMatchObject({
        SERVING_NAMESPACE: 'metadata.namespace',
        SERVING_POD: 'metadata.name',
        SERVING_POD_IP: 'status.podIP',
        SERVING_REVISION: 'shop',
        USER_PORT: '8080',
        QUEUE_SERVING_PORT: '8012',
        CONTAINER_CONCURRENCY: '10',
        REVISION_TIMEOUT_SECONDS: '30',
      });
      expect(JSON.parse(qpEnv['SERVING_READINESS_PROBE'] ?? '{}')).toMatchObject({ httpGet: { path: '/', port: 8080 }, periodSeconds: 1 });
      expect(qp?.ports?.map((p) => p.containerPort)).toEqual([8012, 9091]);
      expect(pod.status?.containerStatuses?.map((c) => [c.name, c.ready])).toEqual([['app', true], ['queue-proxy', true]]);
      const ip = pod.status?.podIP ?? '';
      const res = await httpGet(ip, 8012, '/');
      expect(res.status).toBe(200);
      expect(res.body).toContain(`hello from ${pod.metadata?.name ?? '?'}`);
      const probe = await httpGet(ip, 8012, '/', { 'K-Network-Probe': 'queue' });
      expect([probe.status, probe.body]).toEqual([200, 'queue']);
    }
    console.log(`[e2e-k8s] webhook: ${JSON.stringify({ injectedPodsReadyMs: readyMs })}`);
  }, 45_000);

  it('leaves Pods of another class (and without a class) untouched', async () => {
    const ns = await createNamespace(env, 'other');
    await env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('knative-class', { replicas: 1, annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev' } }) });
    await env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('plain', { replicas: 1 }) });
    for (const app of ['knative-class', 'plain']) {
      const [pod] = await waitForReadyPods(env, ns, `app=${app}`, 1);
      expect(pod?.spec?.containers?.map((c) => c.name)).toEqual(['app']);
      expect(pod?.metadata?.labels?.['kpa-ts.dev/revision']).toBeUndefined();
      expect(pod?.spec?.containers?.[0]?.readinessProbe?.httpGet?.port).toBe(8080);
    }
  }, 30_000);

  it('re-admission of an injected pod adds nothing (dry-run create through the apiserver)', async () => {
    const ns = await createNamespace(env, 'again');
    await env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('twice', { replicas: 1, annotations: CLASS }) });
    const [pod] = await waitForReadyPods(env, ns, 'app=twice', 1);
    const skippedBefore = await admissions('Pod', 'skipped');
    const copy: V1Pod = {
      metadata: { name: 'twice-copy', labels: pod?.metadata?.labels ?? {}, annotations: pod?.metadata?.annotations ?? {} },
      spec: { ...(pod?.spec as NonNullable<V1Pod['spec']>), nodeName: undefined as unknown as string },
    };
    const created = await env.core.createNamespacedPod({ namespace: ns, body: copy, dryRun: 'All' });
    expect(created.spec?.containers?.map((c) => c.name)).toEqual(['app', 'queue-proxy']);
    expect(created.spec?.containers?.[1]?.env).toEqual(pod?.spec?.containers?.[1]?.env);
    expect(await admissions('Pod', 'skipped')).toBe(skippedBefore + 1);
  }, 30_000);

  it('rejects a Deployment with an invalid annotation, naming the key', async () => {
    const ns = await createNamespace(env, 'invalid');
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'autoscaling.knative.dev/max-scale': 'lots' }, 'autoscaling.knative.dev/max-scale'],
      [{ 'autoscaling.knative.dev/window': '2s' }, 'autoscaling.knative.dev/window'],
      [{ 'kpa-ts.dev/container-concurrency': '-3' }, 'kpa-ts.dev/container-concurrency'],
    ];
    for (const [annotations, key] of cases) {
      const message = await rejection(env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('bad', { replicas: 1, annotations: { ...CLASS, ...annotations } }) }));
      expect(message).toContain('denied the request');
      expect(message).toContain(key);
    }
    expect(await listPods(env, ns)).toHaveLength(0);
  }, 30_000);

  it('rejects an invalid config-autoscaler naming the key, accepts the shipped one, and validates annotations against the current one', async () => {
    const shipped = manifest<{ metadata: { name: string }; data: Record<string, string> }>('config-autoscaler.yaml')[0] as { metadata: { name: string }; data: Record<string, string> };
    const bad = { metadata: { name: 'config-autoscaler' }, data: { 'max-scale-up-rate': '0.5' } };
    const message = await rejection(env.core.createNamespacedConfigMap({ namespace: 'kpa-system', body: bad }));
    expect(message).toContain('max-scale-up-rate');
    await env.core.createNamespacedConfigMap({ namespace: 'kpa-system', body: shipped });
    // other ConfigMaps in kpa-system are not checked
    await env.core.createNamespacedConfigMap({ namespace: 'kpa-system', body: { metadata: { name: 'unrelated' }, data: { 'max-scale-up-rate': '0.5' } } });
    // an update is validated too
    const update = await rejection(env.core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: 'kpa-system', body: [{ op: 'add', path: '/data/stable-window', value: '1s' }] }));
    expect(update).toContain('stable-window');
    await env.core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: 'kpa-system', body: [
      { op: 'add', path: '/data/max-scale-limit', value: '10' },
      { op: 'add', path: '/data/max-scale', value: '10' }, // Knative: a limit needs a default max-scale within it
    ] });
    await waitFor(() => configSource.current().maxScaleLimit === 10, { timeoutMs: 10_000, what: 'webhook sees max-scale-limit 10' });
    const ns = await createNamespace(env, 'limit');
    const over = await rejection(env.apps.createNamespacedDeployment({ namespace: ns, body: sampleDeployment('big', { replicas: 1, annotations: { ...CLASS, 'autoscaling.knative.dev/max-scale': '20' } }) }));
    expect(over).toContain('autoscaling.knative.dev/max-scale');
    expect(over).toContain('max-scale-limit');
  }, 30_000);
});

async function admissions(kind: string, result: string): Promise<number> {
  const metric = await registry.getSingleMetric('kpa_webhook_admissions_total')?.get();
  return metric?.values.find((v) => v.labels['kind'] === kind && v.labels['result'] === result)?.value ?? 0;
}

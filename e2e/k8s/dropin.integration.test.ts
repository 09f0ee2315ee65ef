// The Kubernetes drop-in, end to end on a real control plane (issue #6): the process-kubelet runs
// the pods, the webhook (registered in the apiserver) injects the queue-proxy, the autoscaler
// (BACKEND=kubernetes) and the activator (TOPOLOGY=kubernetes) run as host processes against the
// plane, each with its own ServiceAccount token under the shipped least-privilege RBAC
// (manifests/rbac.yaml); Redis is a real redis-server. One annotated Deployment goes 0 → burst → N (via /scale) →
// idle → 0 → a request brings it back; the autoscaler is restarted and keeps scaling it; a
// config-autoscaler edit changes what it does without a restart; and no per-app Service,
// Endpoints or EndpointSlice exists at any point (Render's design).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionregistrationV1Api, DiscoveryV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { freePort, startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { MUTATE_PODS_PATH, VALIDATE_PATH } from '@kpa-ts/webhook';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './control-plane.js';
import { createNamespace, isReady, sampleDeployment, startK8s, type K8sEnv } from './support.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const SYSTEM_NS = 'kpa-system';
const APP = 'hello';
const MAX_SCALE = 3;
const CC = 2;
const SHORT_CONFIG = { 'stable-window': '6s', 'panic-window-percentage': '50', 'scale-to-zero-grace-period': '2s' };
const BINARIES = ['activator', 'autoscaler', 'webhook', 'queue-proxy', 'sample-app'].map((p) => join(REPO_ROOT, 'packages', p, 'dist', 'main.js'));
const log = (what: string, data: unknown): void => console.log(`[e2e-k8s dropin] ${what}: ${JSON.stringify(data)}`);

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** `node packages/<pkg>/dist/main.js` with only `env` (+ PATH), output to `<logDir>/<name>.log`. */
function spawnBinary(pkg: string, name: string, env: Record<string, string>, logDir: string): Proc {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [join(REPO_ROOT, 'packages', pkg, 'dist', 'main.js')], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', out, out] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

async function stopProc(p: Proc | undefined): Promise<number | null | undefined> {
  if (p === undefined || p.child.exitCode !== null) return p?.child.exitCode;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
/** GET through the activator by Host. Loopback only. */
function viaActivator(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Creates every object of a manifest file (the shipped RBAC: least privilege is what runs here). */
async function applyManifest(k8s: K8sEnv, file: string): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(k8s.plane.kubeConfig);
  for (const doc of parseAllDocuments(readFileSync(join(REPO_ROOT, file), 'utf8'))) {
    const obj = doc.toJS() as KubernetesObject | null;
    if (obj !== null) await objects.create(obj);
  }
}

/** A kubeconfig file for a ServiceAccount of the system namespace (a TokenRequest token, the plane's CA). */
async function serviceAccountKubeconfig(k8s: K8sEnv, account: string, dir: string): Promise<string> {
  const token = await k8s.core.createNamespacedServiceAccountToken({ name: account, namespace: SYSTEM_NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } }); // no audience: the apiserver's
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'plane', server: k8s.plane.apiServer, caFile: k8s.plane.state.caFile }],
    users: [{ name: account, token: token.status?.token }],
    contexts: [{ name: account, cluster: 'plane', user: account }],
    currentContext: account,
  });
  const file = join(dir, `${account}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

function appDeployment(): V1Deployment {
  const d = sampleDeployment(APP, { replicas: 0 });
  const template = d.spec!.template;
  template.metadata!.annotations = {
    'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev',
    'autoscaling.knative.dev/min-scale': '0',
    'autoscaling.knative.dev/max-scale': String(MAX_SCALE),
    'kpa-ts.dev/container-concurrency': String(CC),
  };
  return d;
}

describe('Kubernetes drop-in: webhook + activator + autoscaler on a real control plane', () => {
  let k8s: K8sEnv;
  let redis: RedisServer;
  let webhook: Proc | undefined;
  let ns: string;
  let logDir: string;
  let activator: Proc | undefined;
  let autoscaler: Proc | undefined;
  let actPort: number;
  let asAdminPort: number;
  let commonEnv: Record<string, string>;
  let asEnv: Record<string, string>;
  const prefix = `dropin-${randomBytes(4).toString('hex')}:`;
  const hooks = `kpa-ts-dropin-${randomBytes(3).toString('hex')}`;
  /** spec.replicas and ready pods of the app, sampled every 100 ms. */
  const samples: Array<{ atMs: number; replicas: number; ready: number }> = [];
  let sampler: NodeJS.Timeout | undefined;
  /** The logs are kept when the test did not get to its end (or with KPA_KEEP_CP=1). */
  let finished = false;

  const scale = async (): Promise<number> => (await k8s.apps.readNamespacedDeploymentScale({ name: APP, namespace: ns })).spec?.replicas ?? 0;
  const appPods = async (): Promise<number> => (await k8s.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${APP}` })).items.length;
  /** Services, Endpoints, EndpointSlices: in the app's namespace, and in the whole cluster. */
  const perAppNetworking = async (): Promise<number[]> => [
    (await k8s.core.listNamespacedService({ namespace: ns })).items.length,
    (await k8s.core.listNamespacedEndpoints({ namespace: ns })).items.length,
    (await k8s.plane.kubeConfig.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: ns })).items.length,
  ];
  const clusterNetworking = async (): Promise<string[]> => [
    ...(await k8s.core.listServiceForAllNamespaces()).items.map((o) => `service ${o.metadata?.namespace}/${o.metadata?.name}`),
    ...(await k8s.core.listEndpointsForAllNamespaces()).items.map((o) => `endpoints ${o.metadata?.namespace}/${o.metadata?.name}`),
    ...(await k8s.plane.kubeConfig.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces()).items.map((o) => `slice ${o.metadata?.namespace}/${o.metadata?.name}`),
  ].sort();
  const metricsText = (port: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  const host = (): string => `${APP}.${ns}.kpa.local`;
  const startAutoscaler = async (name: string): Promise<Proc> => {
    const p = spawnBinary('autoscaler', name, { ...commonEnv, ...asEnv, BACKEND: 'kubernetes', WATCH_NAMESPACES: ns, SYSTEM_NAMESPACE: SYSTEM_NS, AUTOSCALER_NAME: name, ADMIN_PORT: String(asAdminPort), LEASE_TTL_MS: '3000' }, logDir);
    await waitFor(async () => (await httpStatus(asAdminPort, '/healthz')) === 200, { timeoutMs: 30_000, what: `${name} healthy` });
    return p;
  };

  beforeAll(async () => {
    const missing = BINARIES.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`build first (pnpm build): missing ${missing.join(', ')}`);
    logDir = mkdtempSync(join(tmpdir(), 'kpa-dropin-'));
    [k8s, redis] = await Promise.all([startK8s(), startRedis()]);
    ns = await createNamespace(k8s, 'dropin');
    await k8s.core.createNamespace({ body: { metadata: { name: SYSTEM_NS } } });
    await applyManifest(k8s, 'manifests/rbac.yaml');
    const [asKubeconfig, actKubeconfig, webhookKubeconfig] = await Promise.all(['kpa-autoscaler', 'kpa-activator', 'kpa-webhook'].map((sa) => serviceAccountKubeconfig(k8s, sa, logDir)));
    commonEnv = { REDIS_URL: redis.url, KPA_PREFIX: prefix, LOG_LEVEL: 'info', STATS_SHARDS: '16' };
    asEnv = { KUBECONFIG: asKubeconfig as string };

    // The webhook on 127.0.0.1 (its own generated CA), registered in the apiserver by URL + caBundle.
    const webhookPort = await freePort();
    const caFile = join(logDir, 'webhook-ca.pem');
    webhook = spawnBinary('webhook', 'webhook', { ...commonEnv, KUBECONFIG: webhookKubeconfig as string, WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: String(webhookPort), METRICS_PORT: '0', TLS_HOSTS: '127.0.0.1', TLS_CA_OUT_FILE: caFile, QUEUE_PROXY_IMAGE: 'kpa-ts/queue-proxy:dev', SYSTEM_NAMESPACE: SYSTEM_NS }, logDir);
    await waitFor(async () => existsSync(caFile) && (await tcpOpen(webhookPort)), { timeoutMs: 30_000, what: 'webhook listening' });
    const webhookUrl = `https://127.0.0.1:${webhookPort}`;
    const caBundle = readFileSync(caFile).toString('base64');
    const ours = { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns, SYSTEM_NS] }] } };
    const admission = k8s.plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const common = { admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 5, ...ours };
    await admission.createMutatingWebhookConfiguration({
      body: { metadata: { name: hooks }, webhooks: [{ name: 'pods.kpa-ts.dev', clientConfig: { url: `${webhookUrl}${MUTATE_PODS_PATH}`, caBundle }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], ...common }] },
    });
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: hooks },
        webhooks: [
          {
            name: 'validate.kpa-ts.dev',
            clientConfig: { url: `${webhookUrl}${VALIDATE_PATH}`, caBundle },
            rules: [
              { operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] },
              { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
            ],
            ...common,
          },
        ],
      },
    });
    await k8s.core.createNamespacedConfigMap({ namespace: SYSTEM_NS, body: { metadata: { name: 'config-autoscaler' }, data: SHORT_CONFIG } });

    [actPort, asAdminPort] = [await freePort(), await freePort()];
    autoscaler = await startAutoscaler('autoscaler-1');
    activator = spawnBinary('activator', 'activator', { ...commonEnv, KUBECONFIG: actKubeconfig as string, TOPOLOGY: 'kubernetes', WATCH_NAMESPACE: ns, LISTEN_HOST: '127.0.0.1', PORT: String(actPort), ADMIN_HOST: '127.0.0.1', ADMIN_PORT: String(await freePort()), ACTIVATOR_NAME: 'activator-0' }, logDir);
    await waitFor(async () => (await httpStatus(actPort, '/')) !== 0, { timeoutMs: 30_000, what: 'activator listening' });

    sampler = setInterval(() => {
      void k8s.apps
        .readNamespacedDeployment({ name: APP, namespace: ns })
        .then((d) => samples.push({ atMs: Date.now(), replicas: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0 }))
        .catch(() => undefined);
    }, 100);
  }, 120_000);

  afterAll(async () => {
    clearInterval(sampler);
    agent.destroy();
    await Promise.allSettled([stopProc(activator), stopProc(autoscaler)]);
    if (k8s !== undefined) {
      const admission = k8s.plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      await Promise.allSettled([admission.deleteMutatingWebhookConfiguration({ name: hooks }), admission.deleteValidatingWebhookConfiguration({ name: hooks })]);
    }
    await stopProc(webhook);
    await k8s?.stop();
    await redis?.close();
    if (finished && process.env['KPA_KEEP_CP'] !== '1') rmSync(logDir, { recursive: true, force: true });
    else console.log(`[e2e-k8s dropin] logs kept in ${logDir}`);
  }, 60_000);

  it('0 → burst → scaled up via /scale → idle → 0 → a request brings it back; restart; live config; zero Services', async () => {
    expect(await perAppNetworking()).toEqual([0, 0, 0]);
    const clusterBefore = await clusterNetworking();
    await k8s.apps.createNamespacedDeployment({ namespace: ns, body: appDeployment() });

    // 1. The first request: it waits in the activator (which pokes) until a pod is Ready. (The
    //    autoscaler may already be bringing a new revision to its initial scale: step 4 is the
    //    cold start from a revision known to be at zero.)
    const t0 = Date.now();
    const first = await viaActivator(actPort, host(), '/');
    const coldMs = Date.now() - t0;
    expect(first.status).toBe(200);
    expect(first.body).toContain(`hello from ${APP}-`);
    const pod = (await k8s.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${APP}` })).items.find(isReady);
    expect(pod?.spec?.containers.map((c) => c.name)).toEqual(['app', 'queue-proxy']); // injected
    expect(pod?.metadata?.labels?.['kpa-ts.dev/revision']).toBe(APP);

    // 2. A burst (12 clients, 400 ms requests, cc 2 per pod) → more pods through /scale, at most max-scale.
    const tBurst = Date.now();
    let stop = false;
    const codes: Record<number, number> = {};
    const client = async (): Promise<void> => {
      while (!stop && Date.now() - tBurst < 30_000) {
        const r = await viaActivator(actPort, host(), '/?latency=400');
        codes[r.status] = (codes[r.status] ?? 0) + 1;
      }
    };
    const clients = Array.from({ length: 12 }, client);
    await waitFor(() => samples.some((s) => s.atMs > tBurst && s.replicas > 1), { timeoutMs: 25_000, intervalMs: 100, what: 'replicas > 1 during the burst' });
    const upMs = Date.now() - tBurst;
    // The load wants ceil(12 / (2 × 0.7)) = 9 pods: held at max-scale (3) until 3 pods serve.
    await waitFor(() => samples.some((s) => s.atMs > tBurst && s.ready === MAX_SCALE), { timeoutMs: 25_000, intervalMs: 100, what: `${MAX_SCALE} ready pods during the burst` });
    const maxScaleMs = Date.now() - tBurst;
    stop = true;
    await Promise.all(clients);
    const burst = samples.filter((s) => s.atMs > tBurst);
    expect(Math.max(...burst.map((s) => s.replicas))).toBe(MAX_SCALE);
    expect(Object.keys(codes)).toEqual(['200']);

    // 3. Idle → 0 replicas (stable window 6 s, grace 2 s), and the pods are gone.
    const tIdle = Date.now();
    await waitFor(async () => (await scale()) === 0 && (await appPods()) === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'back to 0 replicas and no pods' });
    const zeroMs = Date.now() - tIdle;

    // 4. A new request brings it back and is served.
    const t1 = Date.now();
    const again = await viaActivator(actPort, host(), '/');
    const coldAgainMs = Date.now() - t1;
    expect(again.status).toBe(200);
    expect(await perAppNetworking()).toEqual([0, 0, 0]);

    // 5. Restart the autoscaler: the new process relists the Deployment and keeps scaling it (to 0 again).
    expect(await stopProc(autoscaler)).toBe(0);
    const tRestart = Date.now();
    autoscaler = await startAutoscaler('autoscaler-2');
    await waitFor(async () => /^autoscaler_revisions 1$/m.test(await metricsText(asAdminPort)), { timeoutMs: 20_000, what: 'the restarted autoscaler manages the revision' });
    await waitFor(async () => (await scale()) === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'the restarted autoscaler scales the app to 0' });
    const restartZeroMs = Date.now() - tRestart;

    // 6. A config-autoscaler edit changes behaviour without a restart: scale to zero off → 0 becomes 1, no request.
    const pid = autoscaler.child.pid;
    const tEdit = Date.now();
    await k8s.core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: SYSTEM_NS, body: { data: { 'enable-scale-to-zero': 'false' } } }, MERGE);
    await waitFor(async () => (await scale()) === 1, { timeoutMs: 20_000, intervalMs: 100, what: 'enable-scale-to-zero=false brings the app to 1' });
    const editMs = Date.now() - tEdit;
    expect(autoscaler.child.pid).toBe(pid);
    expect(autoscaler.child.exitCode).toBeNull();

    // A bad edit is refused by the apiserver (validating webhook); the autoscaler keeps its config.
    const refused = await k8s.core.patchNamespacedConfigMap({ name: 'config-autoscaler', namespace: SYSTEM_NS, body: { data: { 'max-scale-up-rate': '0.5' } } }, MERGE).then(
      () => undefined,
      (err: { code?: number; body?: unknown }) => err,
    );
    expect(refused?.code).toBeGreaterThanOrEqual(400);
    expect(String(refused?.body)).toContain('max-scale-up-rate');

    expect(await perAppNetworking()).toEqual([0, 0, 0]);
    expect(await clusterNetworking()).toEqual(clusterBefore);
    const replicaSteps = burst.map((s) => s.replicas).filter((r, i, all) => i === 0 || r !== all[i - 1]);
    log('measured', { firstRequestMs: coldMs, burstToReplicasAbove1Ms: upMs, burstToMaxScaleReadyMs: maxScaleMs, replicaSteps, burstCodes: codes, idleToZeroMs: zeroMs, coldStartFromZeroMs: coldAgainMs, restartToZeroMs: restartZeroMs, configEditTo1Ms: editMs });
    finished = true;
  }, 180_000);
});

// Regenerates packages/webhook/test/fixtures/*.json: real AdmissionReview bodies, as a real
// kube-apiserver sends them, captured by an HTTPS server registered as a webhook.
//   pnpm build && node --import tsx e2e/k8s/capture-admission-fixtures.ts
// Each fixture is the review the apiserver sent for one object below (uid, timestamps and the
// generated names are the apiserver's own; the tests only read the shape).
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { generateTlsMaterial } from '@kpa-ts/webhook';
import { REPO_ROOT, startControlPlane } from './control-plane.js';

const OUT = join(REPO_ROOT, 'packages', 'webhook', 'test', 'fixtures');
const CLASS = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev' };

function template(annotations: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { labels: { app: 'shop' }, annotations },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'kpa-ts/sample-app:dev',
          ports: [{ containerPort: 8080, name: 'http' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, periodSeconds: 2, failureThreshold: 5 },
          ...extra,
        },
      ],
    },
  };
}

async function main(): Promise<void> {
  const plane = await startControlPlane();
  const tls = await generateTlsMaterial({ hosts: ['127.0.0.1'] });
  const captured = new Map<string, unknown>();
  let next = '';
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as { request: { uid: string } };
      if (next !== '' && !captured.has(next)) captured.set(next, review);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const caBundle = Buffer.from(tls.ca).toString('base64');
  try {
    const admission = plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const core = plane.kubeConfig.makeApiClient(CoreV1Api);
    const apps = plane.kubeConfig.makeApiClient(AppsV1Api);
    const hook = (name: string, group: string, resource: string): Record<string, unknown> => ({
      name,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      clientConfig: { url, caBundle },
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [group], apiVersions: ['v1'], resources: [resource] }],
    });
    await admission.createMutatingWebhookConfiguration({ body: { metadata: { name: 'capture' }, webhooks: [hook('pods.capture.kpa-ts.dev', '', 'pods')] } as never });
    await admission.createValidatingWebhookConfiguration({
      body: { metadata: { name: 'capture' }, webhooks: [hook('deployments.capture.kpa-ts.dev', 'apps', 'deployments'), hook('configmaps.capture.kpa-ts.dev', '', 'configmaps')] } as never,
    });
    await core.createNamespace({ body: { metadata: { name: 'kpa-system' } } });
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await new Promise((r) => setTimeout(r, 2000)); // the apiserver's webhook informer catches up
    const capture = async (name: string, create: () => Promise<unknown>): Promise<void> => {
      next = name;
      await create();
      if (!captured.has(name)) throw new Error(`no review captured for ${name}`);
      writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(captured.get(name), null, 2)}\n`);
      console.log(`wrote ${name}.json`);
    };
    const deployment = (annotations: Record<string, string>): never =>
      ({ metadata: { name: 'shop' }, spec: { replicas: 1, selector: { matchLabels: { app: 'shop' } }, template: template(annotations) } }) as never;
    await capture('deployment-create-kpa-class', () => apps.createNamespacedDeployment({ namespace: 'shop', body: deployment({ ...CLASS, 'kpa-ts.dev/container-concurrency': '10' }) }));
    // The ReplicaSet controller's pod of that Deployment: generateName, ownerReferences, defaults.
    await capture('pod-create-kpa-class', async () => {
      for (let i = 0; i < 100 && !captured.has('pod-create-kpa-class'); i++) await new Promise((r) => setTimeout(r, 100));
    });
    await capture('pod-create-other-class', () =>
      core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'plain', annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev' } }, spec: template({}).spec } as never }),
    );
    await capture('pod-create-kpa-class-no-probe-no-port', () =>
      core.createNamespacedPod({
        namespace: 'shop',
        body: { metadata: { name: 'bare', labels: { 'app.kubernetes.io/name': 'bare-app' }, annotations: CLASS }, spec: { containers: [{ name: 'main', image: 'kpa-ts/sample-app:dev' }] } } as never,
      }),
    );
    await capture('configmap-create-config-autoscaler', () =>
      core.createNamespacedConfigMap({ namespace: 'kpa-system', body: { metadata: { name: 'config-autoscaler' }, data: { 'max-scale-up-rate': '0.5', 'stable-window': '60s' } } }),
    );
  } finally {
    server.close();
    await plane.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

// Every manifest under manifests/ parses and keeps the invariants: least-privilege RBAC with no
// Secret access, exactly one application Service (the activator's), resources and probes on every
// Deployment, webhook configurations that point at the webhook and fail closed but narrowly.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './control-plane.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Container = { name: string; image: string; env?: Array<{ name: string; value?: string }>; resources?: { requests?: Record<string, string>; limits?: Record<string, string> }; readinessProbe?: unknown; livenessProbe?: unknown };

const DIR = join(REPO_ROOT, 'manifests');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
}

function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

const files = yamlFiles(DIR);
const kustomization = load(join(DIR, 'kustomization.yaml'))[0] as unknown as { resources: string[] };
const installed = kustomization.resources.flatMap((r) => load(join(DIR, r)));
const all = files.filter((f) => !f.endsWith('kustomization.yaml')).flatMap(load);
const byKind = (kind: string, objs: Obj[] = installed): Obj[] => objs.filter((o) => o.kind === kind);
const named = (kind: string, name: string): Obj => {
  const o = installed.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind} ${name}`);
  return o;
};
const containersOf = (d: Obj): Container[] => (d as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
const podSpecOf = (d: Obj): Record<string, unknown> => (d as unknown as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
const rulesOf = (kind: string, name: string): Rule[] => (named(kind, name) as unknown as { rules: Rule[] }).rules;
const envOf = (c: Container): Record<string, string | undefined> => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('manifests', () => {
  it('every file parses into objects with apiVersion, kind and name', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const o of all) {
      expect(typeof o.apiVersion).toBe('string');
      expect(typeof o.kind).toBe('string');
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
  });

  it('kustomization lists every top-level manifest, and nothing else', () => {
    const top = files.filter((f) => relative(DIR, f).split('/').length === 1 && !f.endsWith('kustomization.yaml')).map((f) => relative(DIR, f));
    expect([...kustomization.resources].sort()).toEqual(top.sort());
  });

  it('installs into kpa-system only (cluster-scoped objects aside)', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    for (const o of installed) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} in kpa-system`);
    }
  });

  it('RBAC: nothing may read Secrets, no wildcards, ConfigMaps only inside kpa-system', () => {
    for (const kind of ['Role', 'ClusterRole']) {
      for (const role of byKind(kind)) {
        for (const rule of (role as unknown as { rules: Rule[] }).rules) {
          expect(rule.resources).not.toContain('secrets');
          expect(rule.resources).not.toContain('*');
          expect(rule.verbs).not.toContain('*');
          expect(rule.apiGroups).not.toContain('*');
          if (kind === 'ClusterRole') expect(rule.resources).not.toContain('configmaps');
        }
      }
    }
  });

  it.each([
    ['ClusterRole', 'kpa-autoscaler', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ]],
    ['Role', 'kpa-autoscaler-config', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]],
    ['ClusterRole', 'kpa-activator', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
    ]],
    ['Role', 'kpa-webhook', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]],
  ] as Array<[string, string, Rule[]]>)('%s %s grants exactly what it needs', (kind, name, rules) => {
    expect(rulesOf(kind, name)).toEqual(rules);
  });

  it('each component runs under its own ServiceAccount, bound to its own roles', () => {
    const accounts = byKind('ServiceAccount').map((s) => s.metadata.name).sort();
    expect(accounts).toEqual(['kpa-activator', 'kpa-autoscaler', 'kpa-webhook']);
    const bindings = [...byKind('RoleBinding'), ...byKind('ClusterRoleBinding')] as unknown as Array<{ roleRef: { name: string }; subjects: Array<{ name: string }> }>;
    for (const b of bindings) {
      expect(b.subjects).toHaveLength(1);
      expect(b.roleRef.name.startsWith(b.subjects[0]?.name ?? '?')).toBe(true);
    }
    expect(podSpecOf(named('Deployment', 'redis'))['automountServiceAccountToken']).toBe(false);
    for (const [deploy, sa] of [['autoscaler', 'kpa-autoscaler'], ['activator', 'kpa-activator'], ['kpa-webhook', 'kpa-webhook']]) {
      expect(podSpecOf(named('Deployment', deploy as string))['serviceAccountName']).toBe(sa);
    }
  });

  it('Services: the activator is the one Service for application traffic; besides it only Redis and the webhook (apiserver only)', () => {
    const services = byKind('Service', all).map((s) => s.metadata.name).sort();
    expect(services).toEqual(['activator', 'kpa-webhook', 'redis']);
    const webhookPorts = (named('Service', 'kpa-webhook') as unknown as { spec: { ports: Array<{ port: number }> } }).spec.ports;
    expect(webhookPorts).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
  });

  it('every Deployment (examples included) has resources and probes on every container', () => {
    const deployments = byKind('Deployment', all);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['activator', 'autoscaler', 'kpa-webhook', 'redis', 'sample-app']);
    for (const d of deployments) {
      for (const c of containersOf(d)) {
        const where = `${d.metadata.name}/${c.name}`;
        expect([where, c.resources?.requests?.['cpu']]).toEqual([where, expect.any(String)]);
        expect([where, c.resources?.requests?.['memory']]).toEqual([where, expect.any(String)]);
        expect([where, c.resources?.limits?.['memory']]).toEqual([where, expect.any(String)]);
        expect([where, c.readinessProbe]).toEqual([where, expect.anything()]);
        if (d.metadata.namespace === 'kpa-system') expect([where, c.livenessProbe]).toEqual([where, expect.anything()]);
      }
    }
  });

  it('components run our images in Kubernetes mode', () => {
    const [autoscaler] = containersOf(named('Deployment', 'autoscaler'));
    const [activator] = containersOf(named('Deployment', 'activator'));
    const [webhook] = containersOf(named('Deployment', 'kpa-webhook'));
    expect(autoscaler?.image).toBe('kpa-ts/autoscaler:dev');
    expect(envOf(autoscaler as Container)).toMatchObject({ BACKEND: 'kubernetes', REDIS_URL: 'redis://redis.kpa-system.svc:6379' });
    expect(activator?.image).toBe('kpa-ts/activator:dev');
    expect(envOf(activator as Container)).toMatchObject({ TOPOLOGY: 'kubernetes', REDIS_URL: 'redis://redis.kpa-system.svc:6379' });
    expect(webhook?.image).toBe('kpa-ts/webhook:dev');
    expect(envOf(webhook as Container)).toMatchObject({ QUEUE_PROXY_IMAGE: 'kpa-ts/queue-proxy:dev', TLS_CERT_FILE: expect.any(String), TLS_KEY_FILE: expect.any(String) });
    const volumes = podSpecOf(named('Deployment', 'kpa-webhook'))['volumes'];
    expect(volumes).toEqual([{ name: 'certs', secret: { secretName: 'kpa-webhook-certs' } }]);
  });

  it('webhook configurations: v1 reviews, no side effects, fail closed, scoped by matchConditions, pointing at the webhook Service', () => {
    const mutating = named('MutatingWebhookConfiguration', 'kpa-ts-webhook') as unknown as { webhooks: Array<Record<string, unknown>> };
    const validating = named('ValidatingWebhookConfiguration', 'kpa-ts-webhook') as unknown as { webhooks: Array<Record<string, unknown>> };
    const hooks = [...mutating.webhooks, ...validating.webhooks];
    expect(hooks.map((h) => h['name'])).toEqual(['pods.mutate.kpa-ts.dev', 'deployments.validate.kpa-ts.dev', 'config.validate.kpa-ts.dev']);
    for (const h of hooks) {
      expect(h).toMatchObject({ admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 5 });
      expect((h['matchConditions'] as unknown[]).length).toBeGreaterThan(0);
      expect((h['clientConfig'] as { service: unknown }).service).toMatchObject({ name: 'kpa-webhook', namespace: 'kpa-system', port: 443 });
    }
    expect(mutating.webhooks[0]).toMatchObject({
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      clientConfig: { service: { path: '/mutate-pods' } },
      reinvocationPolicy: 'IfNeeded',
    });
    const excluded = (mutating.webhooks[0] as { namespaceSelector: { matchExpressions: Array<{ values: string[] }> } }).namespaceSelector.matchExpressions[0]?.values;
    expect(excluded).toEqual(expect.arrayContaining(['kube-system', 'kpa-system']));
    expect(validating.webhooks.map((h) => (h['clientConfig'] as { service: { path: string } }).service.path)).toEqual(['/validate', '/validate']);
  });
});

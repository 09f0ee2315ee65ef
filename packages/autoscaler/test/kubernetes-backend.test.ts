// Pure parts of the Kubernetes backend: Deployment → ManagedRevision, Pod → readiness, the
// InvalidConfig Event, the env. Fixtures are apiserver JSON, deep-cloned per case.
import { describe, expect, it } from '@jest/globals';
import { deploymentToManagedRevision, invalidConfigEvent, parseAutoscalerEnv, parseConfigText, podReadiness } from '@kpa-ts/autoscaler';
import { apiserverObject, type Json } from '@kpa-ts/kube/testing';

const DEPLOYMENT = apiserverObject('deployment');
const POD = apiserverObject('pod');
const edited = (base: Json, edit: (o: Json) => void): Json => {
  const o = structuredClone(base);
  edit(o);
  return o;
};

describe('deploymentToManagedRevision', () => {
  it('an annotated Deployment → its revision, the autoscaling annotations and containerConcurrency', () => {
    expect(deploymentToManagedRevision(DEPLOYMENT)).toEqual({
      ok: true,
      value: {
        deployment: 'hello',
        revision: {
          namespace: 'demo',
          revision: 'hello',
          annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev', 'autoscaling.knative.dev/max-scale': '5', 'autoscaling.knative.dev/min-scale': '0' },
          containerConcurrency: 2,
        },
        replicas: 0,
      },
    });
  });

  it.each([
    { name: 'template label kpa-ts.dev/revision', edit: (d: Json) => (d.spec.template.metadata.labels['kpa-ts.dev/revision'] = 'hello-v2'), want: 'hello-v2' },
    { name: 'template label app.kubernetes.io/name', edit: (d: Json) => (d.spec.template.metadata.labels['app.kubernetes.io/name'] = 'web'), want: 'web' },
    { name: 'the Deployment name', edit: () => undefined, want: 'hello' },
  ])('revision from $name; the Deployment to scale stays the Deployment', ({ edit, want }) => {
    const m = deploymentToManagedRevision(edited(DEPLOYMENT, edit));
    expect(m.ok && [m.value.revision.revision, m.value.deployment]).toEqual([want, 'hello']);
  });

  it.each([
    { name: 'no annotation → 0 (unlimited)', edit: (d: Json) => delete d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'], want: 0 },
    {
      name: 'the queue-proxy env of the template',
      edit: (d: Json) => {
        delete d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'];
        d.spec.template.spec.containers.push({ name: 'queue-proxy', image: 'qp', env: [{ name: 'CONTAINER_CONCURRENCY', value: '9' }] });
      },
      want: 9,
    },
  ])('containerConcurrency: $name', ({ edit, want }) => {
    const m = deploymentToManagedRevision(edited(DEPLOYMENT, edit));
    expect(m.ok && m.value.revision.containerConcurrency).toBe(want);
  });

  it.each([
    { name: 'another class', edit: (d: Json) => (d.spec.template.metadata.annotations['autoscaling.knative.dev/class'] = 'kpa.autoscaling.knative.dev'), reason: 'not-our-class' },
    { name: 'no class (plain Deployment)', edit: (d: Json) => delete d.spec.template.metadata.annotations['autoscaling.knative.dev/class'], reason: 'not-our-class' },
    { name: 'containerConcurrency 5000', edit: (d: Json) => (d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'] = '5000'), reason: 'invalid' },
    { name: 'no namespace', edit: (d: Json) => delete d.metadata.namespace, reason: 'invalid' },
  ])('$name → not managed ($reason)', ({ edit, reason }) => {
    expect(deploymentToManagedRevision(edited(DEPLOYMENT, edit))).toMatchObject({ ok: false, reason });
  });
});

describe('podReadiness', () => {
  it('a Ready pod with an IP counts', () => {
    expect(podReadiness(POD)).toEqual({ namespace: 'demo', revision: 'hello', pod: 'hello-7c9d8b6f5d-x2k4p', ready: true });
  });

  it.each([
    { name: 'Ready=False', edit: (p: Json) => (p.status.conditions[1].status = 'False') },
    { name: 'no IP', edit: (p: Json) => delete p.status.podIP },
    { name: 'terminating', edit: (p: Json) => (p.metadata.deletionTimestamp = new Date()) },
  ])('$name → not ready', ({ edit }) => {
    expect(podReadiness(edited(POD, edit))?.ready).toBe(false);
  });

  it('a pod without the revision label is not ours', () => {
    expect(podReadiness(edited(POD, (p) => delete p.metadata.labels['kpa-ts.dev/revision']))).toBeUndefined();
  });
});

describe('invalidConfigEvent', () => {
  it('a Warning on the ConfigMap naming every rejected key', () => {
    const parsed = parseConfigText(JSON.stringify({ kind: 'ConfigMap', data: { 'max-scale-up-rate': '0.5', 'stable-window': '2s' } }));
    if (parsed.ok) throw new Error('expected a rejection');
    const cm = { metadata: { name: 'config-autoscaler', namespace: 'kpa-system', uid: 'u-1', resourceVersion: '42' } };
    const at = new Date('2025-01-10T10:00:00Z');
    const e = invalidConfigEvent(cm, parsed.problems, at, { component: 'kpa-autoscaler', instance: 'as-1' });
    expect(e).toMatchObject({
      metadata: { generateName: 'config-autoscaler.', namespace: 'kpa-system' },
      involvedObject: { kind: 'ConfigMap', apiVersion: 'v1', name: 'config-autoscaler', namespace: 'kpa-system', uid: 'u-1', resourceVersion: '42' },
      reason: 'InvalidConfig',
      type: 'Warning',
      count: 1,
      firstTimestamp: at,
      reportingInstance: 'as-1',
    });
    expect(e.message).toContain('max-scale-up-rate');
    expect(e.message).toContain('stable-window');
  });

  it('keeps the message within the 1 KiB Kubernetes allows', () => {
    const problems = Array.from({ length: 50 }, (_, i) => ({ key: `key-${i}`, code: 'x', message: 'a rather long explanation of what is wrong with this value' }));
    expect(invalidConfigEvent({ metadata: { name: 'config-autoscaler', namespace: 'ns' } }, problems, new Date(0), { component: 'c', instance: 'i' }).message?.length).toBeLessThanOrEqual(1024);
  });
});

describe('BACKEND=kubernetes env', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
  it('defaults: all namespaces, kpa-system, default kubeconfig', () => {
    const env = parseAutoscalerEnv({ ...base, BACKEND: 'kubernetes' });
    expect(env).toMatchObject({ BACKEND: 'kubernetes', WATCH_NAMESPACES: [], SYSTEM_NAMESPACE: 'kpa-system' });
    expect(env.KUBECONFIG).toBeUndefined();
  });

  it('a namespace list, trimmed', () => {
    expect(parseAutoscalerEnv({ ...base, BACKEND: 'kubernetes', WATCH_NAMESPACES: ' apps, web ,', KUBECONFIG: '/k' })).toMatchObject({ WATCH_NAMESPACES: ['apps', 'web'], KUBECONFIG: '/k' });
  });

  it.each([
    { name: 'WATCH_NAMESPACES', env: { WATCH_NAMESPACES: 'apps,Web' } },
    { name: 'SYSTEM_NAMESPACE', env: { SYSTEM_NAMESPACE: 'kpa_system' } },
  ])('rejects a bad $name, naming it', ({ name, env }) => {
    expect(() => parseAutoscalerEnv({ ...base, BACKEND: 'kubernetes', ...env })).toThrow(expect.objectContaining({ code: 'AS_INVALID_ENV', message: expect.stringContaining(name) }));
  });
});

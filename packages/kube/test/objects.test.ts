// Reading Deployments and Pods as both sides do, on apiserver JSON (and Dates, as typed lists carry).
import { describe, expect, it } from '@jest/globals';
import { containerConcurrencyOf, isPodReady, objectKey, parseClassDeployment, parsePod, type KubeContainer } from '@kpa-ts/kube';
import { apiserverObject, type Json } from '@kpa-ts/kube/testing';

const pod = (edit?: (p: Json) => void): Json => apiserverObject('pod', edit);
const deployment = (edit?: (d: Json) => void): Json => apiserverObject('deployment', edit);
const qp = (value: string): KubeContainer => ({ name: 'queue-proxy', env: [{ name: 'CONTAINER_CONCURRENCY', value }] });

describe('parseClassDeployment', () => {
  it('a Deployment of our class → name, revision, containerConcurrency, the template annotations, replicas', () => {
    expect(parseClassDeployment(deployment())).toEqual({
      ok: true,
      deployment: {
        name: 'hello',
        namespace: 'demo',
        revision: 'hello',
        containerConcurrency: 2,
        templateAnnotations: {
          'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev',
          'autoscaling.knative.dev/max-scale': '5',
          'autoscaling.knative.dev/min-scale': '0',
          'kpa-ts.dev/container-concurrency': '2',
        },
        replicas: 0,
      },
    });
  });

  it.each([
    { name: 'spec.replicas 3', edit: (d: Json) => (d.spec.replicas = 3), want: 3 },
    { name: 'spec.replicas unset', edit: (d: Json) => delete d.spec.replicas, want: undefined },
  ])('$name → replicas $want', ({ edit, want }) => {
    const m = parseClassDeployment(deployment(edit));
    expect(m.ok && m.deployment.replicas).toBe(want);
  });

  it.each([
    { name: 'another class', edit: (d: Json) => (d.spec.template.metadata.annotations['autoscaling.knative.dev/class'] = 'kpa.autoscaling.knative.dev'), reason: 'not-our-class' },
    { name: 'the class on the Deployment only', edit: (d: Json) => {
      d.metadata.annotations = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev' };
      delete d.spec.template.metadata.annotations;
    }, reason: 'not-our-class' },
    { name: 'containerConcurrency 1001', edit: (d: Json) => (d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'] = '1001'), reason: 'invalid' },
    { name: 'no namespace', edit: (d: Json) => delete d.metadata.namespace, reason: 'invalid' },
    { name: 'no template', edit: (d: Json) => delete d.spec.template, reason: 'invalid' },
    { name: 'replicas not a number', edit: (d: Json) => (d.spec.replicas = 'two'), reason: 'invalid' },
  ])('$name → $reason', ({ edit, reason }) => {
    expect(parseClassDeployment(deployment(edit))).toMatchObject({ ok: false, reason });
  });

  it('an invalid one names the field', () => {
    const m = parseClassDeployment(deployment((d) => (d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'] = 'ten')));
    expect(!m.ok && m.message).toContain('kpa-ts.dev/container-concurrency = "ten"');
  });
});

describe('containerConcurrencyOf', () => {
  it.each<{ name: string; annotations: Record<string, string> | undefined; containers: KubeContainer[] | undefined; want: number | 'error' }>([
    { name: 'nothing → 0 (unlimited)', annotations: undefined, containers: undefined, want: 0 },
    { name: 'the annotation', annotations: { 'kpa-ts.dev/container-concurrency': '10' }, containers: undefined, want: 10 },
    { name: 'spaces around it', annotations: { 'kpa-ts.dev/container-concurrency': ' 7 ' }, containers: undefined, want: 7 },
    { name: 'the queue-proxy env', annotations: {}, containers: [{ name: 'app' }, qp('9')], want: 9 },
    { name: 'the annotation wins over the env', annotations: { 'kpa-ts.dev/container-concurrency': '2' }, containers: [qp('9')], want: 2 },
    { name: 'the maximum, 1000', annotations: { 'kpa-ts.dev/container-concurrency': '1000' }, containers: undefined, want: 1000 },
    { name: '1001', annotations: { 'kpa-ts.dev/container-concurrency': '1001' }, containers: undefined, want: 'error' },
    { name: 'negative', annotations: { 'kpa-ts.dev/container-concurrency': '-1' }, containers: undefined, want: 'error' },
    { name: 'a bad env', annotations: {}, containers: [qp('lots')], want: 'error' },
  ])('$name', ({ annotations, containers, want }) => {
    const got = containerConcurrencyOf(annotations, containers);
    expect(typeof got === 'number' ? got : 'error').toBe(want);
  });
});

describe('parsePod and isPodReady', () => {
  it('an injected, Ready pod', () => {
    const p = parsePod(pod());
    expect(p?.metadata).toMatchObject({ name: 'hello-7c9d8b6f5d-x2k4p', namespace: 'demo', generateName: 'hello-7c9d8b6f5d-' });
    expect(p !== undefined && isPodReady(p)).toBe(true);
  });

  it.each([
    { name: 'Ready=False', edit: (p: Json) => (p.status.conditions[1].status = 'False') },
    { name: 'no Ready condition', edit: (p: Json) => (p.status.conditions = [{ type: 'PodScheduled', status: 'True' }]) },
    { name: 'no IP', edit: (p: Json) => delete p.status.podIP },
    { name: 'no status', edit: (p: Json) => delete p.status },
    { name: 'terminating (JSON text)', edit: (p: Json) => (p.metadata.deletionTimestamp = '2025-01-10T10:05:00Z') },
    { name: 'terminating (a Date)', edit: (p: Json) => (p.metadata.deletionTimestamp = new Date('2025-01-10T10:05:00Z')) },
  ])('$name → not ready', ({ edit }) => {
    const p = parsePod(pod(edit));
    expect(p).toBeDefined();
    expect(p !== undefined && isPodReady(p)).toBe(false);
  });

  it.each([
    { name: 'not an object', input: 'pod' },
    { name: 'no namespace', input: pod((p) => delete p.metadata.namespace) },
    { name: 'containers not a list', input: pod((p) => (p.spec.containers = 'app')) },
  ])('$name → not a Pod', ({ input }) => {
    expect(parsePod(input)).toBeUndefined();
  });
});

describe('objectKey', () => {
  it.each([
    { o: { metadata: { namespace: 'demo', name: 'hello' } }, want: 'demo/hello' },
    { o: { metadata: { name: 'node-1' } }, want: '/node-1' },
    { o: {}, want: '/' },
  ])('$want', ({ o, want }) => {
    expect(objectKey(o)).toBe(want);
  });
});

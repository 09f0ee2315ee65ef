import { describe, expect, it } from '@jest/globals';
import { DEFAULT_INJECTION_CONFIG, decidePodInjection, type InjectionConfig, type PodDecision } from '@kpa-ts/webhook';
import { applyPatch, fixture } from './helpers.js';

type Container = { name: string; image?: string; env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }>; readinessProbe?: Record<string, unknown>; ports?: Array<{ containerPort: number }>; resources?: unknown };
type Pod = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown }; spec: { containers: Container[] } };

const config: InjectionConfig = { ...DEFAULT_INJECTION_CONFIG, redisUrl: 'redis://redis.kpa-system.svc:6379', statsShards: 8 };

function podFixture(name = 'pod-create-kpa-class'): Pod {
  return fixture(name).request.object as unknown as Pod;
}

function patched(pod: Pod, cfg = config): { pod: Pod; decision: Extract<PodDecision, { action: 'patch' }> } {
  const decision = decidePodInjection(pod, cfg);
  if (decision.action !== 'patch') throw new Error(`expected a patch, got ${JSON.stringify(decision)}`);
  return { pod: applyPatch(pod, decision.patch), decision };
}

function envOf(c: Container | undefined): Record<string, string | undefined> {
  return Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? `fieldRef:${e.valueFrom?.fieldRef.fieldPath ?? '?'}`]));
}

describe('decidePodInjection on real AdmissionReview fixtures', () => {
  it('injects the queue-proxy into a ReplicaSet pod of our class (fixture pod-create-kpa-class)', () => {
    const { pod, decision } = patched(podFixture());
    expect(decision.revision).toBe('shop'); // generateName shop-84cd4657d- minus the pod-template-hash
    expect(decision.warnings).toEqual([]);
    expect(pod.metadata.labels).toEqual({ app: 'shop', 'pod-template-hash': '84cd4657d', 'kpa-ts.dev/revision': 'shop' });
    const [app, qp] = pod.spec.containers;
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['app', 'queue-proxy']);
    expect(qp?.image).toBe(DEFAULT_INJECTION_CONFIG.image);
    expect(qp?.ports?.map((p) => p.containerPort)).toEqual([8012, 9091]);
    expect(qp?.resources).toEqual(DEFAULT_INJECTION_CONFIG.resources);
    expect(qp?.resources).not.toBe(DEFAULT_INJECTION_CONFIG.resources);
    expect(envOf(qp)).toEqual({
      SERVING_NAMESPACE: 'fieldRef:metadata.namespace',
      SERVING_POD: 'fieldRef:metadata.name',
      SERVING_POD_IP: 'fieldRef:status.podIP',
      SERVING_REVISION: 'shop',
      USER_PORT: '8080',
      QUEUE_SERVING_PORT: '8012',
      METRICS_PORT: '9091',
      CONTAINER_CONCURRENCY: '10',
      REVISION_TIMEOUT_SECONDS: '300',
      SERVING_READINESS_PROBE: expect.any(String),
      REDIS_URL: 'redis://redis.kpa-system.svc:6379',
      STATS_SHARDS: '8',
    });
    // The user's probe moves into the queue-proxy, its named port resolved, its headers kept.
    expect(JSON.parse(envOf(qp)['SERVING_READINESS_PROBE'] ?? '')).toEqual({
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] },
      timeoutSeconds: 1,
      periodSeconds: 2,
      successThreshold: 1,
      failureThreshold: 5,
    });
    // ... and the user container's readiness now asks the queue-proxy.
    expect(app?.readinessProbe).toEqual({
      httpGet: { path: '/', port: 8012, httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }] },
      periodSeconds: 1,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 5,
    });
  });

  it('is idempotent: re-admitting the injected pod gives no patch', () => {
    const { pod } = patched(podFixture());
    expect(decidePodInjection(pod, config)).toEqual({ action: 'skip', reason: 'already-injected' });
  });

  it('skips pods of another class (fixture pod-create-other-class)', () => {
    expect(decidePodInjection(podFixture('pod-create-other-class'), config)).toEqual({ action: 'skip', reason: 'other-class' });
  });

  it('defaults the user port to 8080 and readiness to a TCP connect; revision from app.kubernetes.io/name (fixture pod-create-kpa-class-no-probe-no-port)', () => {
    const { pod, decision } = patched(podFixture('pod-create-kpa-class-no-probe-no-port'), DEFAULT_INJECTION_CONFIG);
    expect(decision.revision).toBe('bare-app');
    expect(decision.patch.map((op) => op.path)).toEqual(['/spec/containers/-', '/spec/containers/0/readinessProbe', '/metadata/labels/kpa-ts.dev~1revision']);
    const qpEnv = envOf(pod.spec.containers[1]);
    expect(qpEnv['USER_PORT']).toBe('8080');
    expect(qpEnv['CONTAINER_CONCURRENCY']).toBe('0');
    expect(qpEnv['REDIS_URL']).toBeUndefined();
    expect(JSON.parse(qpEnv['SERVING_READINESS_PROBE'] ?? '')).toEqual({ tcpSocket: { port: 8080 } });
  });
});

describe('decidePodInjection edge cases', () => {
  const base = (): Pod => podFixture();

  it('adds the labels map when the pod has none', () => {
    const pod = base();
    delete pod.metadata.labels;
    const { pod: out, decision } = patched(pod);
    expect(decision.patch.at(-1)).toEqual({ op: 'add', path: '/metadata/labels', value: { 'kpa-ts.dev/revision': decision.revision } });
    expect(out.metadata.labels).toEqual({ 'kpa-ts.dev/revision': decision.revision });
  });

  it('keeps an existing kpa-ts.dev/revision label and uses it', () => {
    const pod = base();
    pod.metadata.labels = { 'kpa-ts.dev/revision': 'shop-v2' };
    const { decision } = patched(pod);
    expect(decision.revision).toBe('shop-v2');
    expect(decision.patch.some((op) => op.path.startsWith('/metadata/labels'))).toBe(false);
  });

  it('picks the first container with a port as the user container', () => {
    const pod = base();
    pod.spec.containers.unshift({ name: 'logger', image: 'busybox' });
    const { decision } = patched(pod);
    expect(decision.patch[1]?.path).toBe('/spec/containers/1/readinessProbe');
  });

  it('falls back to TCP with a warning for an exec readiness probe', () => {
    const pod = base();
    (pod.spec.containers[0] as Container).readinessProbe = { exec: { command: ['true'] }, periodSeconds: 3 };
    const { pod: out, decision } = patched(pod);
    expect(decision.warnings).toEqual([expect.stringContaining('readinessProbe.exec')]);
    expect(JSON.parse(envOf(out.spec.containers[1])['SERVING_READINESS_PROBE'] ?? '')).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 3 });
  });

  it.each([
    ['a Knative revision label', (p: Pod) => void (p.metadata.labels = { 'serving.knative.dev/revision': 'r1' }), 'knative-owned'],
    ['a Knative owner', (p: Pod) => void (p.metadata['ownerReferences'] = [{ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'r1', uid: 'u' }]), 'knative-owned'],
    ['no annotations', (p: Pod) => void delete p.metadata.annotations, 'other-class'],
  ])('skips a pod with %s', (_name, edit, reason) => {
    const pod = base();
    edit(pod);
    expect(decidePodInjection(pod, config)).toEqual({ action: 'skip', reason });
  });

  it.each([
    ['container-concurrency not a number', (p: Pod) => void ((p.metadata.annotations as Record<string, string>)['kpa-ts.dev/container-concurrency'] = 'ten'), 'kpa-ts.dev/container-concurrency'],
    ['container-concurrency above 1000', (p: Pod) => void ((p.metadata.annotations as Record<string, string>)['kpa-ts.dev/container-concurrency'] = '1001'), 'kpa-ts.dev/container-concurrency'],
    ['container-concurrency negative', (p: Pod) => void ((p.metadata.annotations as Record<string, string>)['kpa-ts.dev/container-concurrency'] = '-1'), 'kpa-ts.dev/container-concurrency'],
    ['a user port on 8012', (p: Pod) => void ((p.spec.containers[0] as Container).ports = [{ containerPort: 8012 }]), 'spec.containers[0].ports[0].containerPort = 8012'],
    ['a port on 9091 in a second container', (p: Pod) => void p.spec.containers.push({ name: 'm', ports: [{ containerPort: 9091 }] }), 'spec.containers[1].ports[0].containerPort = 9091'],
    ['a revision name longer than a label value', (p: Pod) => void (p.metadata.labels = { 'app.kubernetes.io/name': 'x'.repeat(64) }), 'kpa-ts.dev/revision'],
    ['no containers', (p: Pod) => void (p.spec.containers = []), 'spec.containers'],
    ['containers that are not a list', (p: Pod) => void ((p.spec as unknown as Record<string, unknown>)['containers'] = 'app'), 'pod.spec.containers'],
  ])('denies a pod of our class with %s, naming the field', (_name, edit, field) => {
    const pod = base();
    edit(pod);
    const d = decidePodInjection(pod, config);
    expect(d.action).toBe('deny');
    expect(d.action === 'deny' ? d.message : '').toContain(field);
  });

  it('never throws on garbage', () => {
    for (const junk of [null, undefined, 42, 'pod', [], { metadata: 'x' }, { metadata: { annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev' } } }]) {
      expect(() => decidePodInjection(junk, config)).not.toThrow();
    }
  });
});

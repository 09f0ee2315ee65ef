// The process-kubelet's pure parts: the image table, env building, probe plans, pod status, CIDRs.
import { describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  DEFAULT_IMAGES,
  buildPodStatus,
  cidrHosts,
  containerArgv,
  containerEnv,
  expandVars,
  imageKey,
  intToIp,
  ipToInt,
  lookupImage,
  podPhase,
  readinessPlan,
  type ContainerView,
} from './index.js';

describe('image table', () => {
  it.each([
    ['kpa-ts/sample-app:dev', 'kpa-ts/sample-app'],
    ['kpa-ts/sample-app', 'kpa-ts/sample-app'],
    ['docker.io/kpa-ts/queue-proxy:1.2', 'kpa-ts/queue-proxy'],
    ['localhost/kpa-ts/webhook@sha256:abcd', 'kpa-ts/webhook'],
    ['localhost:5000/kpa-ts/webhook:dev', 'localhost:5000/kpa-ts/webhook'],
    ['docker.io/library/redis:7', 'redis'],
  ])('imageKey(%s) = %s', (image, key) => {
    expect(imageKey(image)).toBe(key);
  });

  it('knows our images and the test image', () => {
    for (const image of ['kpa-ts/sample-app:dev', 'kpa-ts/queue-proxy:dev', 'kpa-ts/activator:dev', 'kpa-ts/autoscaler:dev', 'kpa-ts/webhook:dev', 'kpa-ts/node']) {
      expect(lookupImage(DEFAULT_IMAGES, image)).toBeDefined();
    }
    expect(lookupImage(DEFAULT_IMAGES, 'nginx')).toBeUndefined();
    expect(lookupImage(DEFAULT_IMAGES, undefined)).toBeUndefined();
  });

  it.each([
    ['neither: entrypoint + CMD', {}, ['node', 'main.js', '--default']],
    ['args: entrypoint + args', { args: ['--x'] }, ['node', 'main.js', '--x']],
    ['command: command only', { command: ['sh', '-c'] }, ['sh', '-c']],
    ['both: command + args', { command: ['sh', '-c'], args: ['echo'] }, ['sh', '-c', 'echo']],
  ])('argv with %s', (_name, container, argv) => {
    expect(containerArgv({ entrypoint: ['node', 'main.js'], args: ['--default'] }, container)).toEqual(argv);
  });

  it('passes the pod IP as bind address and the pod name as hostname to the sample app', () => {
    expect(DEFAULT_IMAGES['kpa-ts/sample-app']?.env?.({ podIP: '127.20.0.5', podName: 'web-1', ports: [9000] })).toEqual({ HOST: '127.20.0.5', PORT: '9000', SERVING_POD: 'web-1' });
    expect(DEFAULT_IMAGES['kpa-ts/queue-proxy']?.env?.({ podIP: '127.20.0.5', podName: 'web-1', ports: [] })).toMatchObject({ USER_HOST: '127.20.0.5' });
  });
});

describe('container env', () => {
  const pod: V1Pod = {
    metadata: { name: 'p1', namespace: 'ns1', uid: 'u1', labels: { app: 'a' }, annotations: { note: 'n' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [] },
  };
  const ips = { podIP: '127.20.0.9', hostIP: '127.0.0.1' };
  const layers = { base: { PATH: '/bin', HOSTNAME: 'p1' }, image: { HOST: '127.20.0.9', PORT: '8080' } };

  it('layers base < image < pod env, resolves fieldRefs and $(VAR)', () => {
    const c: V1Container = {
      name: 'c',
      env: [
        { name: 'PORT', value: '9090' },
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'MISSING', valueFrom: { fieldRef: { fieldPath: "metadata.labels['nope']" } } },
        { name: 'URL', value: 'http://$(IP):$(PORT)/$(UNDEFINED)' },
      ],
    };
    const r = containerEnv(pod, c, ips, layers);
    expect(r).toEqual({
      ok: true,
      env: {
        PATH: '/bin',
        HOSTNAME: 'p1',
        HOST: '127.20.0.9',
        PORT: '9090',
        NAME: 'p1',
        NS: 'ns1',
        UID: 'u1',
        IP: '127.20.0.9',
        HOST_IP: '127.0.0.1',
        NODE: 'node-1',
        APP: 'a',
        NOTE: 'n',
        MISSING: '',
        URL: 'http://127.20.0.9:9090/$(UNDEFINED)',
      },
    });
  });

  it.each([
    ['a secretKeyRef', { name: 'c', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, 'valueFrom.secretKeyRef'],
    ['a configMapKeyRef', { name: 'c', env: [{ name: 'S', valueFrom: { configMapKeyRef: { name: 's', key: 'k' } } }] }, 'valueFrom.configMapKeyRef'],
    ['an unknown fieldPath', { name: 'c', env: [{ name: 'S', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] }, 'spec.hostname'],
    ['envFrom', { name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }, 'envFrom'],
  ] as Array<[string, V1Container, string]>)('refuses %s with a message', (_name, c, msg) => {
    const r = containerEnv(pod, c, ips, layers);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain(msg);
  });

  it('escapes $$(VAR)', () => {
    expect(expandVars('$$(A) $(A)', { A: 'x' })).toBe('$(A) x');
  });
});

describe('readiness plans', () => {
  const c = (probe: V1Container['readinessProbe'], ports: V1Container['ports'] = [{ containerPort: 8080, name: 'http' }]): V1Container =>
    probe === undefined ? { name: 'c', ports } : { name: 'c', ports, readinessProbe: probe };

  it('httpGet against the pod IP, named port resolved, headers kept, kubelet defaults', () => {
    expect(readinessPlan(c({ httpGet: { path: 'ready', port: 'http', httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }] } }), '127.20.0.2')).toEqual({
      target: { kind: 'http', https: false, host: '127.20.0.2', port: 8080, path: '/ready', headers: [['K-Network-Probe', 'queue']] },
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('tcpSocket and HTTPS', () => {
    expect(readinessPlan(c({ tcpSocket: { port: 9000 }, periodSeconds: 1 }), '127.20.0.2')).toMatchObject({ target: { kind: 'tcp', host: '127.20.0.2', port: 9000 }, periodMs: 1000 });
    expect(readinessPlan(c({ httpGet: { port: 8443, scheme: 'HTTPS' } }), '127.20.0.2')).toMatchObject({ target: { kind: 'http', https: true, path: '/' } });
  });

  it('none, or an error for exec and unknown named ports', () => {
    expect(readinessPlan(c(undefined), '127.20.0.2')).toBeUndefined();
    expect(readinessPlan(c({ exec: { command: ['true'] } }), '127.20.0.2')).toEqual({ error: expect.stringContaining('httpGet and tcpSocket') });
    expect(readinessPlan(c({ httpGet: { port: 'metrics' } }), '127.20.0.2')).toEqual({ error: expect.stringContaining('metrics') });
  });
});

describe('pod status', () => {
  const running = (name: string, ready: boolean, restartCount = 0): ContainerView => ({ name, image: 'i', state: { running: { startedAt: 't0' } }, ready, started: true, restartCount });
  const done = (name: string, exitCode: number): ContainerView => ({ name, image: 'i', state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: 't1' } }, ready: false, started: false, restartCount: 0 });
  const waiting = (name: string, reason: string, restartCount = 0): ContainerView => ({ name, image: 'i', state: { waiting: { reason } }, ready: false, started: false, restartCount });

  it.each([
    ['all running', [running('a', true), running('b', false)], 'Running'],
    ['waiting for an image', [waiting('a', 'ErrImagePull')], 'Pending'],
    ['crash-looping', [waiting('a', 'CrashLoopBackOff', 2)], 'Running'],
    ['all done with 0', [done('a', 0), done('b', 0)], 'Succeeded'],
    ['all done, one failed', [done('a', 0), done('b', 1)], 'Failed'],
    ['one done, one running', [done('a', 0), running('b', true)], 'Running'],
  ] as Array<[string, ContainerView[], string]>)('phase when %s: %s', (_name, containers, phase) => {
    expect(podPhase(containers)).toBe(phase);
  });

  it('reports conditions, IPs and container statuses, keeping lastTransitionTime while a condition holds', () => {
    const view = { podIP: '127.20.0.3', hostIP: '127.0.0.1', startTime: 't0', containers: [running('a', false)] };
    const first = buildPodStatus(view, undefined, 'T1');
    expect(first).toMatchObject({ phase: 'Running', podIP: '127.20.0.3', podIPs: [{ ip: '127.20.0.3' }], hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], startTime: 't0' });
    const cond = (s: Record<string, unknown>, type: string): Record<string, unknown> | undefined => (s['conditions'] as Array<Record<string, unknown>>).find((c) => c['type'] === type);
    expect(cond(first, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', lastTransitionTime: 'T1', message: 'containers with unready status: [a]' });
    expect(cond(first, 'PodScheduled')).toMatchObject({ status: 'True', lastTransitionTime: 'T1' });
    const second = buildPodStatus({ ...view, containers: [running('a', true)] }, first['conditions'] as never, 'T2');
    expect(cond(second, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: 'T2', lastProbeTime: null });
    expect(cond(second, 'PodScheduled')).toMatchObject({ lastTransitionTime: 'T1' });
    expect((second['containerStatuses'] as unknown[])[0]).toMatchObject({ name: 'a', ready: true, started: true, restartCount: 0, state: { running: { startedAt: 't0' } } });
  });
});

describe('pod CIDR', () => {
  it('hands out host addresses inside 127.0.0.0/8 only', () => {
    expect(cidrHosts('127.20.3.0/24')).toEqual({ first: ipToInt('127.20.3.1'), last: ipToInt('127.20.3.254') });
    expect(intToIp(ipToInt('127.20.3.7') as number)).toBe('127.20.3.7');
    expect(() => cidrHosts('10.0.0.0/24')).toThrow('127.0.0.0/8');
    expect(() => cidrHosts('127.0.0.0/31')).toThrow('prefix');
    expect(() => cidrHosts('nope')).toThrow('CIDR');
  });
});

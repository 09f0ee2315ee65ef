import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { compareForDeletion, createLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '@kpa-ts/runtime-local';
import { waitFor } from '@kpa-ts/testkit';
import { createServer, type Server } from 'node:net';
import { alive, appLog, FAKE_QUEUE_PROXY, httpGet, pidsOf, recordEvents, requireSampleApp, template, testIpRange, thrownCode, waitReady } from './support.js';

// Pods with the sample app as the user container and a stand-in queue-proxy (test/fixtures) that
// keeps the same env contract; the suite with the real queue-proxy is runtime-queue-proxy.*.
const runtimes: LocalRuntime[] = [];

function runtime(extra: Partial<LocalRuntimeOptions> = {}): LocalRuntime {
  const rt = createLocalRuntime({
    queueProxy: { command: process.execPath, args: [FAKE_QUEUE_PROXY] },
    ipRange: testIpRange(),
    probeIntervalMs: 100,
    probeFailureThreshold: 2,
    terminationGraceMs: 5_000,
    ...extra,
  });
  runtimes.push(rt);
  return rt;
}

beforeAll(() => requireSampleApp());

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.close()));
});

describe('local runtime (stand-in queue-proxy)', () => {
  it('scales 0→3→1→0 with events and readiness; each pod serves on its own address', async () => {
    const rt = runtime();
    const rec = recordEvents(rt);
    rt.deploy(template('hello'));
    expect(rt.replicas('test', 'hello')).toBe(0);
    expect(rt.pods('test', 'hello')).toEqual([]);
    expect(rec.events).toEqual([{ namespace: 'test', revision: 'hello', pods: [] }]); // known at zero
    expect(rt.revisions()).toEqual([template('hello')]);

    rt.scale('test', 'hello', 3);
    expect(rt.replicas('test', 'hello')).toBe(3);
    expect(rt.pods('test', 'hello').map((p) => p.phase)).toEqual(['pending', 'pending', 'pending']);
    const pods = await waitReady(rt, 'hello', 3);
    expect(new Set(pods.map((p) => p.ip)).size).toBe(3);
    for (const p of pods) {
      expect(p.name).toMatch(/^hello-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.port).toBe(8012);
      expect(p.readyAtMs).toBeGreaterThanOrEqual(p.createdAtMs);
      const res = await httpGet(p.ip, p.port, '/');
      expect(res).toEqual({ status: 200, body: `hello from ${p.name}\n` });
    }
    expect(rec.readyCounts('hello')).toEqual(expect.arrayContaining([1, 2, 3]));

    rt.scale('test', 'hello', 1);
    // terminating pods leave the ready set at once, before any process has stopped
    expect(rt.readyCount('test', 'hello')).toBe(1);
    // a ReplicaSet keeps the pod that has been ready longest (then the oldest)
    const expected = [...pods].sort(compareForDeletion).at(-1);
    const survivors = await waitReady(rt, 'hello', 1);
    expect(survivors[0]?.name).toBe(expected?.name);
    const gone = pods.filter((p) => p.name !== survivors[0]?.name);
    expect(pidsOf(gone).some(alive)).toBe(false);

    rt.scale('test', 'hello', 0);
    expect(rt.readyCount('test', 'hello')).toBe(0);
    await waitFor(() => rt.pods('test', 'hello').length === 0, { what: 'all pods gone' });
    expect(pidsOf(pods).some(alive)).toBe(false);
    const last = rec.events.filter((e) => e.revision === 'hello').at(-1);
    expect(last?.pods).toEqual([]);
  });

  it('scale is idempotent', async () => {
    const rt = runtime();
    rt.deploy(template('idem'), 2);
    rt.scale('test', 'idem', 2);
    rt.scale('test', 'idem', 2);
    expect(rt.pods('test', 'idem')).toHaveLength(2);
    await waitReady(rt, 'idem', 2);
    rt.scale('test', 'idem', 2);
    expect(rt.pods('test', 'idem')).toHaveLength(2);
  });

  it('scale-down drains: a slow in-flight request completes', async () => {
    const rt = runtime();
    rt.deploy(template('drain'), 1);
    const [pod] = await waitReady(rt, 'drain', 1);
    if (!pod) throw new Error('no pod');
    const slow = httpGet(pod.ip, pod.port, '/?latency=1500');
    await waitFor(() => appLog(rt, pod).includes('"request"'), { what: 'the slow request reached the app' });
    rt.scale('test', 'drain', 0);
    expect(rt.pods('test', 'drain').map((p) => p.phase)).toEqual(['terminating']);
    expect(await slow).toEqual({ status: 200, body: `hello from ${pod.name}\n` });
    await waitFor(() => rt.pods('test', 'drain').length === 0, { what: 'pod gone' });
  });

  it.each<['app' | 'queue-proxy' | undefined]>([[undefined], ['app'], ['queue-proxy']])('killPod (container %s) → the pod is replaced', async (container) => {
    const rt = runtime();
    rt.deploy(template('kill'), 2);
    const before = await waitReady(rt, 'kill', 2);
    const victim = before[0];
    if (!victim) throw new Error('no pod');
    rt.killPod(victim.name, 'SIGKILL', container);
    await waitFor(() => !rt.pods('test', 'kill').some((p) => p.name === victim.name), { what: 'killed pod removed' });
    expect(rt.readyCount('test', 'kill')).toBe(1);
    const after = await waitReady(rt, 'kill', 2);
    expect(after.map((p) => p.name)).not.toContain(victim.name);
    await waitFor(() => !pidsOf([victim]).some(alive), { what: 'victim processes gone' });
  });

  it('killPod of an unknown pod throws RUNTIME_POD_NOT_FOUND', () => {
    const rt = runtime();
    expect(thrownCode(() => rt.killPod('nope-abcde'))).toBe('RUNTIME_POD_NOT_FOUND');
  });

  it('a pod whose queue-proxy turns unready leaves the ready set and comes back', async () => {
    const rt = runtime();
    const rec = recordEvents(rt);
    rt.deploy(template('flap'), 1);
    const [pod] = await waitReady(rt, 'flap', 1);
    if (!pod) throw new Error('no pod');
    rt.killPod(pod.name, 'SIGUSR2', 'queue-proxy'); // the stand-in answers 503 from now on
    await waitFor(() => rt.readyCount('test', 'flap') === 0, { what: 'pod unready' });
    expect(rt.pods('test', 'flap')[0]).toMatchObject({ name: pod.name, phase: 'running', ready: false });
    rt.killPod(pod.name, 'SIGUSR2', 'queue-proxy');
    await waitFor(() => rt.readyCount('test', 'flap') === 1, { what: 'pod ready again' });
    expect(rec.readyCounts('flap').slice(-3)).toEqual([1, 0, 1]);
  });

  it('skips an address whose queue-proxy port is taken', async () => {
    const range = testIpRange();
    const first = range.replace(/\.0\/24$/, '.1');
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(8012, first, resolve));
    try {
      const rt = runtime({ ipRange: range });
      rt.deploy(template('skip'), 1);
      const [pod] = await waitReady(rt, 'skip', 1);
      expect(pod?.ip).toBe(range.replace(/\.0\/24$/, '.2'));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('a queue-proxy that cannot start is retried with backoff, not in a tight loop', async () => {
    const rt = runtime({ queueProxy: { command: process.execPath, args: ['-e', 'process.exit(3)'] } });
    const rec = recordEvents(rt);
    const firstSeen = new Map<string, number>();
    rt.watch((e) => e.pods.forEach((p) => firstSeen.has(p.name) || firstSeen.set(p.name, Date.now())));
    rt.deploy(template('crashy'), 1);
    await waitFor(() => firstSeen.size >= 4, { timeoutMs: 10_000, what: '4 attempts' });
    const times = [...firstSeen.values()];
    // backoff after each failure before readiness: 100, 200, 400 ms → at least 700 ms for 4 attempts
    expect((times[3] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(700);
    expect(rec.events.some((e) => e.pods.some((p) => p.ready))).toBe(false);
    expect(rt.readyCount('test', 'crashy')).toBe(0);
  });

  it('close() terminates every pod and leaves no child process', async () => {
    const rt = runtime();
    rt.deploy(template('one'), 2);
    rt.deploy(template('two'), 1);
    const pods = [...(await waitReady(rt, 'one', 2)), ...(await waitReady(rt, 'two', 1))];
    const pids = pidsOf(pods);
    expect(pids).toHaveLength(6);
    expect(pids.every(alive)).toBe(true);
    await rt.close();
    expect(pids.filter(alive)).toEqual([]);
    expect(thrownCode(() => rt.scale('test', 'one', 1))).toBe('RUNTIME_CLOSED');
  });

  it('rejects bad input with typed errors', () => {
    const rt = runtime();
    expect(thrownCode(() => rt.scale('test', 'missing', 1))).toBe('RUNTIME_UNKNOWN_REVISION');
    expect(thrownCode(() => rt.deploy({ ...template('ok'), revision: 'Bad_Name' }))).toBe('RUNTIME_INVALID_TEMPLATE');
    rt.deploy(template('ok'));
    expect(thrownCode(() => rt.scale('test', 'ok', -1))).toBe('RUNTIME_INVALID_REPLICAS');
    expect(thrownCode(() => createLocalRuntime({ queueProxy: { command: 'x', args: [] }, ipRange: '10.0.0.0/8' }))).toBe('RUNTIME_INVALID_OPTIONS');
  });
});

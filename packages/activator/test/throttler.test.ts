import { describe, expect, it } from '@jest/globals';
import { ActivatorError, defaultCapacityPolicy, RevisionThrottler, type Endpoint, type Lease } from '@kpa-ts/activator';
import { ManualClock } from './helpers/manual-clock.js';

const ep = (n: number, ready = true): Endpoint => ({ pod: `p${n}`, ip: `127.0.0.${n}`, port: 8012, ready });

function make(cc: number, opts: { queueDepth?: number; index?: number; activators?: number } = {}) {
  const clock = new ManualClock();
  const th = new RevisionThrottler(
    { namespace: 'ns', revision: 'r', containerConcurrency: cc },
    { clock, queueDepth: opts.queueDepth ?? 100, policy: defaultCapacityPolicy, activatorIndex: opts.index ?? -1, activators: opts.activators ?? 1 },
  );
  return { clock, th };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof ActivatorError ? err.code : String(err);
  }
}

describe('RevisionThrottler (Proxy mode)', () => {
  it('holds exactly cc requests per pod and queues the rest FIFO', async () => {
    const { th } = make(2);
    th.setEndpoints([ep(1), ep(2)]);
    const leases = [0, 1, 2, 3].map(() => th.tryAcquire());
    expect(leases.every((l) => l !== undefined)).toBe(true);
    expect(th.tryAcquire()).toBeUndefined();
    const order: string[] = [];
    const a = th.acquire({ queueTimeoutMs: 1000 }).then((l) => (order.push('a'), l));
    const b = th.acquire({ queueTimeoutMs: 1000 }).then((l) => (order.push('b'), l));
    expect(th.queued).toBe(2);
    leases[0]?.release();
    leases[0]?.release(); // idempotent
    await settle();
    expect(order).toEqual(['a']);
    expect((await a).pod.dest).toBe(leases[0]?.pod.dest);
    leases[3]?.release();
    await b;
    expect(order).toEqual(['a', 'b']);
    const perPod = new Map<string, number>();
    for (const p of th.assigned) perPod.set(p.name, p.inFlight);
    expect([...perPod.values()]).toEqual([2, 2]);
  });

  it('spreads over pods by least in flight', () => {
    const { th } = make(10);
    th.setEndpoints([ep(1), ep(2), ep(3)]);
    const got = Array.from({ length: 6 }, () => th.tryAcquire()?.pod.name);
    expect(got.sort()).toEqual(['p1', 'p1', 'p2', 'p2', 'p3', 'p3']);
  });

  it('at zero ready pods requests wait and are released as pods turn ready', async () => {
    const { th } = make(1);
    th.setEndpoints([ep(1, false)]);
    expect(th.readyCount).toBe(0);
    const w = th.acquire({ queueTimeoutMs: 5000 });
    th.setEndpoints([ep(1, true)]);
    expect((await w).pod.name).toBe('p1');
  });

  it('never routes to an unready or removed pod, and keeps in-flight counts of pods that come back', async () => {
    const { th } = make(1);
    th.setEndpoints([ep(1), ep(2)]);
    const l1 = th.tryAcquire() as Lease;
    th.setEndpoints([ep(1, false), ep(2)]);
    const names = new Set<string>();
    const l2 = th.tryAcquire() as Lease;
    names.add(l2.pod.name);
    expect(th.tryAcquire()).toBeUndefined(); // p2 full, p1 unroutable
    th.setEndpoints([ep(1), ep(2)]); // p1 back, still holding l1
    expect(th.tryAcquire()).toBeUndefined();
    l1.release();
    expect(th.tryAcquire()?.pod.name).toBe(l1.pod.name);
    expect(names).toEqual(new Set(['p2']));
  });

  it('a new pod at a reused address starts empty; the old pod\'s leases do not touch it', () => {
    const { th } = make(1);
    th.setEndpoints([ep(1)]);
    const old = th.tryAcquire() as Lease;
    th.setEndpoints([{ ...ep(1), pod: 'p1-new' }]);
    const fresh = th.tryAcquire() as Lease;
    expect(fresh.pod.name).toBe('p1-new');
    old.release();
    expect(th.tryAcquire()).toBeUndefined(); // p1-new still holds its one request
    fresh.release();
    expect(th.tryAcquire()?.pod.name).toBe('p1-new');
  });

  it('times out a queued request with ACT_QUEUE_TIMEOUT', async () => {
    const { th, clock } = make(1);
    const w = codeOf(th.acquire({ queueTimeoutMs: 100 }));
    clock.advance(99);
    await settle();
    expect(th.queued).toBe(1);
    clock.advance(1);
    expect(await w).toBe('ACT_QUEUE_TIMEOUT');
    expect(th.queued).toBe(0);
  });

  it('refuses beyond the queue depth with ACT_QUEUE_FULL', async () => {
    const { th } = make(1, { queueDepth: 2 });
    const waiting = [th.acquire({ queueTimeoutMs: 1000 }), th.acquire({ queueTimeoutMs: 1000 })];
    expect(await codeOf(th.acquire({ queueTimeoutMs: 1000 }))).toBe('ACT_QUEUE_FULL');
    th.close(new ActivatorError('ACT_REVISION_GONE', 'gone'));
    expect(await Promise.all(waiting.map(codeOf))).toEqual(['ACT_REVISION_GONE', 'ACT_REVISION_GONE']);
  });

  it('an aborted waiter leaves the queue', async () => {
    const { th } = make(1);
    const c = new AbortController();
    const w = codeOf(th.acquire({ queueTimeoutMs: 1000, signal: c.signal }));
    c.abort();
    expect(await w).toBe('ACT_CANCELLED');
    expect(th.queued).toBe(0);
  });

  it('a retry avoids excluded pods, and fails fast when every ready pod is excluded', async () => {
    const { th } = make(5);
    th.setEndpoints([ep(1), ep(2)]);
    expect(th.tryAcquire(new Set(['127.0.0.1:8012']))?.pod.name).toBe('p2');
    expect(await codeOf(th.acquire({ queueTimeoutMs: 10, exclude: new Set(['127.0.0.1:8012', '127.0.0.2:8012']) }))).toBe('ACT_NO_POD');
  });

  it('cc 0 is unlimited', () => {
    const { th } = make(0);
    th.setEndpoints([ep(1)]);
    for (let i = 0; i < 1000; i++) expect(th.tryAcquire()).toBeDefined();
  });

  it('splits pods across activators with @kpa-ts/scaling (P=5, A=2: index 1 gets pods 2, 3)', () => {
    const { th } = make(1, { index: 1, activators: 2 });
    th.setEndpoints([1, 2, 3, 4, 5].map((n) => ep(n)));
    expect(th.assigned.map((p) => p.name)).toEqual(['p3', 'p4']);
    expect(th.capacity).toBe(2);
    th.setSubset(0, 2);
    expect(th.assigned.map((p) => p.name)).toEqual(['p1', 'p2', 'p5']);
    th.setSubset(-1, 2);
    expect(th.assigned).toHaveLength(5);
  });
});

describe('RevisionThrottler (Serve mode)', () => {
  it('forwards at once beyond capacity, without queueing', () => {
    const { th } = make(1);
    th.setEndpoints([ep(1), ep(2)]);
    th.setMode('serve');
    const got = Array.from({ length: 6 }, () => th.tryAcquire()?.pod.name);
    expect(got.sort()).toEqual(['p1', 'p1', 'p1', 'p2', 'p2', 'p2']);
  });

  it('behaves as Proxy at zero ready pods', async () => {
    const { th } = make(1);
    th.setMode('serve');
    expect(th.effectiveMode()).toBe('proxy');
    const w = th.acquire({ queueTimeoutMs: 1000 });
    expect(th.queued).toBe(1);
    th.setEndpoints([ep(1)]);
    expect(th.effectiveMode()).toBe('serve');
    await w;
  });

  it('switching to serve releases everything queued', async () => {
    const { th } = make(1);
    th.setEndpoints([ep(1)]);
    th.tryAcquire();
    const ws = [1, 2, 3].map(() => th.acquire({ queueTimeoutMs: 1000 }));
    expect(th.queued).toBe(3);
    th.setMode('serve');
    await Promise.all(ws);
    expect(th.inFlight).toBe(4);
  });
});

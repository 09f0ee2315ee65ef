import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kpa-ts/testkit';
import { httpRequest, inFlightCounter, startProxy, startUpstream, type Reply } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An upstream that holds every request until `release()` (or `holdMs`), counting its in-flight. */
async function holdingUpstream(holdMs?: number): Promise<{ port: number; counter: ReturnType<typeof inFlightCounter>; release(): void }> {
  const counter = inFlightCounter();
  let waiting: Array<() => void> = [];
  const up = await startUpstream((_req, res) => {
    counter.enter();
    const done = (): void => {
      counter.leave();
      res.end('done');
    };
    if (holdMs !== undefined) setTimeout(done, holdMs);
    else waiting.push(done);
  });
  cleanups.push(() => up.close());
  return {
    port: up.port,
    counter,
    release: () => {
      const w = waiting;
      waiting = [];
      for (const d of w) d();
    },
  };
}

describe('queue-proxy breaker (CONTAINER_CONCURRENCY) over real sockets', () => {
  it('never lets more than containerConcurrency requests reach the user container under a burst', async () => {
    const up = await holdingUpstream(60);
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '3' });
    cleanups.push(() => p.close());
    const replies = await Promise.all(Array.from({ length: 30 }, () => httpRequest(p.port)));
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(up.counter.max).toBe(3);
    expect(up.counter.total).toBe(30);
  });

  it('answers 503 at once when the queue (10 × containerConcurrency) is full, and serves the rest', async () => {
    const up = await holdingUpstream();
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '1' });
    cleanups.push(() => p.close());
    const breaker = p.qp.breaker;
    if (!breaker) throw new Error('expected a breaker');
    const held = Array.from({ length: 11 }, () => httpRequest(p.port));
    await waitFor(() => breaker.inFlight === 1 && breaker.waiting === 10, { what: '1 in flight + 10 queued' });
    const t0 = Date.now();
    const rejected = await Promise.all(Array.from({ length: 3 }, () => httpRequest(p.port)));
    expect(rejected.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(breaker.rejections).toBe(3);
    // Release one at a time: each release lets the next queued request through, in order.
    const results: Reply[] = [];
    for (const h of held) void h.then((r) => results.push(r));
    await waitFor(
      () => {
        up.release();
        return results.length === 11;
      },
      { what: 'all queued requests served' },
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(up.counter.max).toBe(1);
    expect(up.counter.total).toBe(11);
  });

  it('drops a queued request whose client went away: it never reaches the user container', async () => {
    const up = await holdingUpstream();
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '1' });
    cleanups.push(() => p.close());
    const breaker = p.qp.breaker;
    if (!breaker) throw new Error('expected a breaker');
    const first = httpRequest(p.port, { path: '/first' });
    await waitFor(() => up.counter.now === 1, { what: 'first request at the upstream' });
    const abort = new AbortController();
    const gone = httpRequest(p.port, { path: '/gone', signal: abort.signal }).catch((err: Error) => err);
    const kept = httpRequest(p.port, { path: '/kept' });
    await waitFor(() => breaker.waiting === 2, { what: 'two queued' });
    abort.abort();
    await waitFor(() => breaker.waiting === 1, { what: 'the abandoned request left the queue' });
    expect(await gone).toMatchObject({ name: 'AbortError' });
    await waitFor(
      () => {
        up.release();
        return up.counter.total === 2 && up.counter.now === 0;
      },
      { what: 'kept request served' },
    );
    expect((await first).status).toBe(200);
    expect((await kept).status).toBe(200);
    expect(up.counter.total).toBe(2);
    await waitFor(() => p.qp.stats.concurrency === 0, { what: 'nothing in flight' });
  });

  it('times out a request still waiting in the queue (504): the revision timeout covers the queue wait', async () => {
    const up = await holdingUpstream();
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '1', REVISION_TIMEOUT_SECONDS: '1' });
    cleanups.push(async () => {
      up.release();
      await p.close();
    });
    const t0 = Date.now();
    const [atApp, queued] = await Promise.all([httpRequest(p.port, { path: '/a' }), httpRequest(p.port, { path: '/b' })]);
    expect([atApp.status, queued.status]).toEqual([504, 504]);
    expect(Date.now() - t0).toBeLessThan(3000);
    // Usually 1; on a loaded machine the first request's timeout frees its slot a few ms before the
    // queued one's own deadline, so that one may reach the app too (and still gets its 504).
    expect(up.counter.total).toBeGreaterThanOrEqual(1);
    expect(up.counter.total).toBeLessThanOrEqual(2);
    await waitFor(() => p.qp.breaker?.waiting === 0 && p.qp.breaker.inFlight === 0, { what: 'breaker empty' });
  });

  it('has no breaker when containerConcurrency is 0 (unlimited)', async () => {
    const up = await holdingUpstream();
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '0' });
    cleanups.push(() => p.close());
    expect(p.qp.breaker).toBeUndefined();
    const all = Promise.all(Array.from({ length: 40 }, () => httpRequest(p.port)));
    await waitFor(() => up.counter.now === 40, { what: 'all 40 at the upstream at once' });
    up.release();
    expect((await all).every((r) => r.status === 200)).toBe(true);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kpa-ts/testkit';
import { httpRequest, startProxy, startUpstream } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const within5 = (actual: number, expected: number): boolean => Math.abs(actual - expected) <= 0.05 * expected;

describe('queue-proxy stats over real sockets (1 s periods, real clock)', () => {
  it('reports time-weighted concurrency and request counts of a known load within 5 %', async () => {
    const HOLD_MS = 2500;
    const up = await startUpstream((req, res) => {
      const hold = req.url === '/hold' ? HOLD_MS : 0;
      setTimeout(() => res.end('ok'), hold);
    });
    cleanups.push(() => up.close());
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '0' });
    cleanups.push(() => p.close());

    // Phase 1: 6 clients (3 through the activator) each hold one request open for 2.5 s.
    const held = Array.from({ length: 6 }, (_, i) => httpRequest(p.port, { path: '/hold', headers: i % 2 === 0 ? { 'K-Proxied-By': 'activator' } : {} }));
    expect((await Promise.all(held)).every((r) => r.status === 200)).toBe(true);
    // Phase 2: 50 quick requests, 20 of them through the activator.
    for (let i = 0; i < 50; i++) await httpRequest(p.port, { path: '/quick', headers: i < 20 ? { 'K-Proxied-By': 'activator' } : {} });
    await waitFor(() => p.qp.stats.concurrency === 0, { what: 'all requests done' });
    p.qp.reporter.tick(); // close the last (partial) period now

    const stats = p.stats;
    expect(stats.length).toBeGreaterThanOrEqual(3);
    for (const s of stats) expect(s).toMatchObject({ ns: 'test-ns', rev: 'test-rev', pod: 'test-pod', src: 'qp' });
    // Every request counted exactly once, the proxied part too.
    expect(stats.reduce((a, s) => a + s.reqs, 0)).toBe(56);
    expect(stats.reduce((a, s) => a + s.preqs, 0)).toBe(23);
    // A period fully inside the 2.5 s hold sees exactly the 6 (3) requests in flight.
    const full = stats.filter((s) => within5(s.conc, 6));
    expect(full.length).toBeGreaterThanOrEqual(1);
    for (const s of full) expect(within5(s.pconc, 3)).toBe(true);
    // The integral over all periods (request·seconds) matches 6 × 2.5 s (+ the quick ones, ~0).
    // Period lengths from `uptime` (monotonic, and the first period starts with the process at 0).
    let prevUptime = 0;
    let integral = 0;
    for (const s of stats) {
      integral += s.conc * (s.uptime - prevUptime);
      prevUptime = s.uptime;
    }
    const quickSeconds = 0.05; // 50 requests of well under 1 ms each in the proxy
    expect(within5(integral, 6 * (HOLD_MS / 1000) + quickSeconds)).toBe(true);
    // Uptime grows with the periods.
    expect(stats.map((s) => s.uptime)).toEqual([...stats.map((s) => s.uptime)].sort((a, b) => a - b));
  }, 20_000);
});

import { describe, expect, it } from '@jest/globals';
import { ACTIVATOR_POD, offeredLoad, secondStats } from '../src/load-model.js';

const pods = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `pod-${i + 1}`, readyAtMs: 0 }));
/** The revision total the scaling code sees: pods' direct traffic plus the activator's (kpa.md a.4). */
const total = (stats: ReturnType<typeof secondStats>['stats']) => stats.reduce((sum, s) => sum + s.concurrency - s.proxiedConcurrency, 0);

describe('offeredLoad (Little\'s law)', () => {
  it.each([
    [100, 'concurrency', 200, { concurrency: 100, rps: 500 }],
    [500, 'rps', 200, { concurrency: 100, rps: 500 }],
  ] as const)('%d %s at %d ms', (value, metric, latency, want) => expect(offeredLoad(value, metric, latency)).toEqual(want));
});

describe('secondStats', () => {
  it('with no ready pod the whole load waits in the activator', () => {
    const s = secondStats({ concurrency: 30, rps: 300 }, [], { containerConcurrency: 0, mode: 'serve', tsMs: 5000 });
    expect(s.stats).toEqual([{ pod: ACTIVATOR_POD, src: 'act', tsMs: 5000, concurrency: 30, proxiedConcurrency: 0, requests: 300, proxiedRequests: 0 }]);
    expect(s.waitingConcurrency).toBe(30);
  });

  it('serve mode: an even share per pod, no activator stat when nothing waits', () => {
    const s = secondStats({ concurrency: 90, rps: 900 }, pods(3), { containerConcurrency: 0, mode: 'serve', tsMs: 7000 });
    expect(s.stats.map((x) => [x.pod, x.src, x.concurrency, x.proxiedConcurrency, x.requests, x.uptimeS])).toEqual([
      ['pod-1', 'qp', 30, 0, 300, 7],
      ['pod-2', 'qp', 30, 0, 300, 7],
      ['pod-3', 'qp', 30, 0, 300, 7],
    ]);
    expect(s.waitingConcurrency).toBe(0);
  });

  it('serve mode: containerConcurrency clamps each pod, the excess waits in the activator', () => {
    const s = secondStats({ concurrency: 500, rps: 1000 }, pods(3), { containerConcurrency: 100, mode: 'serve', tsMs: 0 });
    expect(s.stats.filter((x) => x.src === 'qp').map((x) => x.concurrency)).toEqual([100, 100, 100]);
    expect(s.stats.find((x) => x.src === 'act')).toMatchObject({ concurrency: 200, requests: 400 });
    expect(s.waitingConcurrency).toBe(200);
    expect(total(s.stats)).toBe(500);
  });

  it('proxy mode: the activator reports every request, the pods report theirs as proxied', () => {
    const s = secondStats({ concurrency: 500, rps: 1000 }, pods(3), { containerConcurrency: 100, mode: 'proxy', tsMs: 0 });
    expect(s.stats.filter((x) => x.src === 'qp').every((x) => x.concurrency === 100 && x.proxiedConcurrency === 100 && x.proxiedRequests === x.requests)).toBe(true);
    expect(s.activatorConcurrency).toBe(500);
    expect(s.waitingConcurrency).toBe(200);
    expect(total(s.stats)).toBe(500);
  });
});

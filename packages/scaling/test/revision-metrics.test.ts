import { describe, expect, it } from '@jest/globals';
import { createRevisionMetrics, type PodStat, type WindowSpec } from '@kpa-ts/scaling';

const T0 = 1_700_000_000_000;
const s = (n: number): number => T0 + n * 1000;
const windows: WindowSpec = { stableWindowMs: 60_000, panicWindowMs: 6_000, algorithm: 'linear' };

function qp(pod: string, sec: number, concurrency: number, extra: Partial<PodStat> = {}): PodStat {
  return { pod, src: 'qp', tsMs: s(sec) + 300, concurrency, proxiedConcurrency: 0, requests: concurrency * 10, proxiedRequests: 0, ...extra };
}
function act(pod: string, sec: number, concurrency: number): PodStat {
  return { pod, src: 'act', tsMs: s(sec) + 600, concurrency, proxiedConcurrency: 0, requests: concurrency * 10, proxiedRequests: 0 };
}
function actAt(pod: string, tsMs: number, concurrency: number, requests: number): PodStat {
  return { pod, src: 'act', tsMs, concurrency, proxiedConcurrency: 0, requests, proxiedRequests: 0 };
}

describe('revision metrics: recording (kpa.md a.4)', () => {
  it('sums the pods of a complete second', () => {
    const m = createRevisionMetrics(windows);
    for (const [pod, c] of [['a', 2], ['b', 3], ['c', 4]] as const) m.record(qp(pod, 10, c));
    expect(m.averages(s(10) + 500, 'concurrency', 3)).toEqual({ stableAvg: 9, panicAvg: 9 });
    expect(m.averages(s(10) + 500, 'rps', 3)).toEqual({ stableAvg: 90, panicAvg: 90 });
  });

  it('subtracts the proxied part (the activator reports it)', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 5, { proxiedConcurrency: 2, requests: 40, proxiedRequests: 15 }));
    expect(m.averages(s(10) + 500, 'concurrency', 1).stableAvg).toBe(3);
    expect(m.averages(s(10) + 500, 'rps', 1).stableAvg).toBe(25);
  });

  it('adds the activators exactly', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4));
    m.record(qp('b', 10, 6));
    m.record(act('act-1', 10, 2));
    m.record(act('act-2', 10, 1));
    expect(m.averages(s(10) + 500, 'concurrency', 2).stableAvg).toBe(13);
  });

  it('keeps the stable and panic windows apart', () => {
    const m = createRevisionMetrics(windows);
    for (let sec = 0; sec < 10; sec++) m.record(qp('a', sec, sec < 6 ? 0 : 12));
    // stable: 4 × 12 over 10 s; panic (6 s): 0, 0, 12, 12, 12, 12 over 6.
    expect(m.averages(s(9) + 500, 'concurrency', 1)).toEqual({ stableAvg: 4.8, panicAvg: 8 });
  });

  it('seconds without any stat are zeros between writes', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 0, 6));
    m.averages(s(0) + 500, 'concurrency', 1);
    m.record(qp('a', 3, 6));
    expect(m.averages(s(3) + 500, 'concurrency', 1).stableAvg).toBe(3);
  });

  it('knows the newest stat time', () => {
    const m = createRevisionMetrics(windows);
    expect(m.lastStatMs).toBeUndefined();
    m.record(qp('a', 5, 1));
    m.record(qp('a', 4, 1));
    expect(m.lastStatMs).toBe(s(5) + 300);
  });
});

describe('revision metrics: extrapolation (kpa.md a.3)', () => {
  it('waits for a second that is neither complete nor late', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4));
    m.record(qp('b', 10, 6));
    expect(m.averages(s(11) + 999, 'concurrency', 3)).toEqual({ stableAvg: undefined, panicAvg: undefined });
  });

  it('extrapolates a late second from the pods that reported: sum / reported × ready', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4));
    m.record(qp('b', 10, 6));
    m.record(act('act-1', 10, 2));
    // Late once a second has passed since it ended (11 s + 1 s): 10 / 2 × 3 + 2 = 17.
    expect(m.averages(s(12), 'concurrency', 3).stableAvg).toBe(17);
    expect(m.counters()).toMatchObject({ seconds: 1, extrapolated: 1 });
  });

  it('the late-after time is an option', () => {
    const m = createRevisionMetrics(windows, { lateAfterMs: 0 });
    m.record(qp('a', 10, 4));
    expect(m.averages(s(11), 'concurrency', 2).stableAvg).toBe(8);
  });

  it('never extrapolates down: more reporters than ready pods count as they are', () => {
    const m = createRevisionMetrics(windows);
    for (const pod of ['a', 'b', 'c']) m.record(qp(pod, 10, 2));
    expect(m.averages(s(10) + 500, 'concurrency', 2).stableAvg).toBe(6);
  });

  it('with 0 ready pods, a second nobody reported records nothing', () => {
    const m = createRevisionMetrics(windows);
    expect(m.averages(s(20), 'concurrency', 0)).toEqual({ stableAvg: undefined, panicAvg: undefined });
  });

  it('with 0 ready pods the activators count at once (scale from zero)', () => {
    const m = createRevisionMetrics(windows);
    m.record(act('act-1', 10, 1));
    expect(m.averages(s(10) + 700, 'concurrency', 0)).toEqual({ stableAvg: 1, panicAvg: 1 });
  });

  // It used to wait until late (issue #5 follow-up): the activator's load was hidden for up to 2 s.
  it('an activator stat counts at once, even while the ready pods have not reported its second', () => {
    const m = createRevisionMetrics(windows);
    m.record(act('act-1', 10, 3));
    expect(m.averages(s(10) + 700, 'concurrency', 2).stableAvg).toBe(3);
    m.record(qp('a', 10, 4)); // the pods' second, when late: 4 / 1 × 2 = 8 more
    expect(m.averages(s(12), 'concurrency', 2).stableAvg).toBe(11);
  });

  it('with 0 ready pods a second is never complete: a starting pod counts when late, none dropped', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 2));
    expect(m.averages(s(10) + 400, 'concurrency', 0).stableAvg).toBeUndefined();
    m.record(qp('b', 10, 3)); // later in the same second: not dropped
    expect(m.averages(s(12), 'concurrency', 0).stableAvg).toBe(5);
    expect(m.counters()).toMatchObject({ seconds: 1, droppedLate: 0 });
  });

  it('averages two stats of one pod in one second (reporter jitter) and counts the pod once', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4));
    m.record(qp('a', 10, 6));
    m.record(qp('b', 10, 1));
    expect(m.averages(s(10) + 900, 'concurrency', 2).stableAvg).toBe(6); // mean(4, 6) + 1
    expect(m.counters().duplicates).toBe(1);
  });

  it('drops a queue-proxy stat for a second already committed, adds a late activator stat', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4));
    expect(m.averages(s(10) + 500, 'concurrency', 1).stableAvg).toBe(4);
    m.record(qp('b', 10, 100));
    m.record(act('act-1', 10, 2));
    expect(m.averages(s(10) + 900, 'concurrency', 1).stableAvg).toBe(6);
    expect(m.counters().droppedLate).toBe(1);
  });

  it('commits seconds in time order whatever the arrival order', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 12, 12));
    m.record(qp('a', 11, 6));
    m.record(qp('a', 10, 0));
    expect(m.averages(s(12) + 500, 'concurrency', 1)).toEqual({ stableAvg: 6, panicAvg: 6 });
    expect(m.counters().seconds).toBe(3);
  });

  it('commits a second that was buffered for 8 s when its slot is needed', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 10, 4)); // never complete: 3 pods ready
    m.averages(s(10) + 100, 'concurrency', 3);
    m.record(qp('a', 18, 4)); // same slot (10 mod 8 = 18 mod 8)
    expect(m.counters().seconds).toBe(1);
  });

  it('forgets pods that stopped reporting', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('old', 0, 1));
    m.averages(s(0) + 500, 'concurrency', 1);
    m.averages(s(30), 'concurrency', 1);
    // A new second from the same name is a first stat again, not a duplicate.
    m.record(qp('old', 30, 1));
    expect(m.counters().duplicates).toBe(0);
  });
});

describe('revision metrics: pokes (kpa.md a.2: a request waiting at zero)', () => {
  it('a poke counts one request at once; that activator\'s first-request push pays it back', () => {
    const m = createRevisionMetrics(windows);
    m.recordPoke('act-1', s(10) + 397);
    expect(m.averages(s(10) + 420, 'concurrency', 0)).toEqual({ stableAvg: 1, panicAvg: 1 });
    m.record(actAt('act-1', s(10) + 395, 1, 1)); // its push of (1, 1): already counted
    m.record(actAt('act-1', s(10) + 980, 199, 199)); // its report: 200 since x.395, minus the push
    expect(m.averages(s(11), 'concurrency', 1)).toEqual({ stableAvg: 200, panicAvg: 200 });
    expect(m.averages(s(11), 'rps', 1).stableAvg).toBe(200);
    expect(m.counters()).toMatchObject({ stats: 2, pokes: 1 });
  });

  it('the push may come first: the next stat pays the poke back, floored at 0', () => {
    const m = createRevisionMetrics(windows);
    m.record(actAt('act-1', s(10) + 300, 1, 1));
    m.recordPoke('act-1', s(10) + 300);
    expect(m.averages(s(10) + 700, 'concurrency', 0).stableAvg).toBe(2);
    m.record(actAt('act-1', s(10) + 980, 49, 49)); // 50 since x.300, minus the push
    expect(m.averages(s(11), 'concurrency', 0).stableAvg).toBe(50);
    m.recordPoke('act-1', s(11) + 100);
    m.record(actAt('act-1', s(11) + 980, 0.25, 0)); // less than the poke: the poke's 1 stays
    expect(m.averages(s(12), 'concurrency', 0).stableAvg).toBe(25.5);
  });

  it('one poke owed per activator; another activator owes its own', () => {
    const m = createRevisionMetrics(windows);
    m.recordPoke('act-1', s(10) + 100);
    m.recordPoke('act-1', s(10) + 900); // still owed: nothing more
    m.recordPoke('act-2', s(10) + 900);
    expect(m.averages(s(10) + 950, 'concurrency', 0).stableAvg).toBe(2);
    expect(m.counters().pokes).toBe(2);
  });

  it('a poke owed for the whole buffered span is forgotten (that activator\'s stats never came)', () => {
    const m = createRevisionMetrics(windows);
    m.recordPoke('act-1', s(10));
    m.averages(s(30), 'concurrency', 0);
    m.record(actAt('act-1', s(30) + 980, 5, 5)); // counts in full: nothing owed any more
    expect(m.averages(s(31), 'concurrency', 0).stableAvg).toBe(0.285714); // (1 + 5) / 21 s, not (1 + 4) / 21
  });
});

describe('revision metrics: no data and windows (kpa.md a.7)', () => {
  it('an empty stable window is no data', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 0, 4));
    expect(m.averages(s(0) + 500, 'concurrency', 1).stableAvg).toBe(4);
    expect(m.averages(s(61), 'concurrency', 1)).toEqual({ stableAvg: undefined, panicAvg: undefined });
  });

  it('the panic window may be empty while the stable one is not: 0', () => {
    const m = createRevisionMetrics(windows);
    m.record(qp('a', 0, 4));
    m.averages(s(0) + 500, 'concurrency', 1);
    expect(m.averages(s(10), 'concurrency', 1)).toEqual({ stableAvg: 4, panicAvg: 0 });
  });

  it('TBC -1 (not scraped in Knative): an empty window reads (0, 0)', () => {
    const m = createRevisionMetrics(windows, { emptyWindowIsZero: true });
    expect(m.averages(s(0), 'concurrency', 0)).toEqual({ stableAvg: 0, panicAvg: 0 });
    m.setOptions({ emptyWindowIsZero: false });
    expect(m.averages(s(0), 'concurrency', 0).stableAvg).toBeUndefined();
  });

  it('resizes all four series', () => {
    const m = createRevisionMetrics(windows);
    for (let sec = 0; sec < 10; sec++) m.record(qp('a', sec, sec));
    m.averages(s(9) + 500, 'concurrency', 1);
    m.resize({ stableWindowMs: 6_000, panicWindowMs: 2_000, algorithm: 'linear' });
    // Newest 6 (4..9) over 6 → 6.5; panic newest 2 (8, 9) → 8.5.
    expect(m.averages(s(9) + 500, 'concurrency', 1)).toEqual({ stableAvg: 6.5, panicAvg: 8.5 });
    expect(m.averages(s(9) + 500, 'rps', 1)).toEqual({ stableAvg: 65, panicAvg: 85 });
  });

  it('uses the weighted exponential algorithm when asked', () => {
    const m = createRevisionMetrics({ ...windows, algorithm: 'weighted-exponential' });
    m.record(qp('a', 0, 10));
    const { stableAvg, panicAvg } = m.averages(s(0) + 500, 'concurrency', 1);
    expect(stableAvg).toBeCloseTo(10 * 0.2, 12);
    expect(panicAvg).toBeCloseTo(10 * (1 - Math.pow(0.0001, 1 / 6)), 12);
  });
});

// Issue #5 follow-up: a burst at zero (200 clients, containerConcurrency 100 → target 70) was seen
// ~2 s late. The sequences below are the StatRecords the autoscaler received in real runs of
// `kpa demo --concurrency 200 --stable-window 10s --config panic-window-percentage=40`.
describe('regression #5 follow-up: a burst at zero seen ~2 s late', () => {
  const demoWindows: WindowSpec = { stableWindowMs: 10_000, panicWindowMs: 4_000, algorithm: 'linear' };
  const at = (ms: number): number => 1_795_492_790_000 + ms;
  const qpAt = (tsMs: number, conc: number, reqs: number): PodStat => ({ pod: 'pod-1', src: 'qp', tsMs, concurrency: conc, proxiedConcurrency: conc, requests: reqs, proxiedRequests: reqs });

  it('before the fix (reports at free-running phases): the activator\'s second counts at the next tick, the poke once', () => {
    const m = createRevisionMetrics(demoWindows);
    m.recordPoke('activator-0', at(3_397)); // the poke; its tick at 0 ready pods
    expect(m.averages(at(3_425), 'concurrency', 0)).toEqual({ stableAvg: 1, panicAvg: 1 });
    m.record(actAt('activator-0', at(3_395), 1, 1)); // the first-request push
    m.record(actAt('activator-0', at(4_235), 195.53809523809525, 199)); // [3.395, 4.235] minus the push
    // The pod turned ready at ~4.1 s; its first stat (ts 5.055, all proxied) came after this tick.
    // It read 2 (the poke and the push both counted, the 195.5 held back until its second was late).
    expect(m.averages(at(5_016), 'concurrency', 1)).toEqual({ stableAvg: 98.269048, panicAvg: 98.269048 });
    m.record(qpAt(at(5_055), 76.862559, 320));
    m.record(actAt('activator-0', at(5_230), 191.80402010050253, 300));
    expect(m.averages(at(7_016), 'concurrency', 1).stableAvg).toBe(129.447372); // (1 + 195.5 + 0 + 191.8) / 3 s
  });

  it('after the fix (reports end with their second): the averages at the next tick reflect the ~200', () => {
    const m = createRevisionMetrics(demoWindows);
    const base = 1_795_493_590_000;
    m.recordPoke('activator-0', base + 7_217);
    expect(m.averages(base + 7_235, 'concurrency', 0)).toEqual({ stableAvg: 1, panicAvg: 1 });
    m.record(actAt('activator-0', base + 7_216, 1, 1));
    m.record(actAt('activator-0', base + 7_981, 191.6156862745098, 199)); // [7.216, 7.981]: same second
    m.record({ ...qpAt(base + 7_982, 27.323977, 100), pod: 'pod-zl4w5' }); // ready at ~7.9 s, all proxied
    // The next regular tick, 1 pod ready: 1 + 191.6 = 192.6 → ceil(192.6 / 70) = 3 pods.
    expect(m.averages(base + 8_901, 'concurrency', 1)).toEqual({ stableAvg: 192.615686, panicAvg: 192.615686 });
    expect(m.averages(base + 8_901, 'rps', 1).stableAvg).toBe(200);
  });
});

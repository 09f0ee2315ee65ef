import { describe, expect, it } from '@jest/globals';
import { ActivatorLoad, ConcurrencyAccumulator } from '@kpa-ts/activator';

const T0 = 1_000_000;

describe('ConcurrencyAccumulator', () => {
  it('averages concurrency over time: 2 requests for half a second each in 1 s → 1.0', () => {
    const a = new ConcurrencyAccumulator(T0);
    a.begin(T0);
    a.begin(T0);
    a.end(T0 + 500);
    a.end(T0 + 500);
    expect(a.report(T0 + 1000)).toEqual({ conc: 1, reqs: 2 });
  });

  it('carries requests in flight across periods', () => {
    const a = new ConcurrencyAccumulator(T0);
    a.begin(T0 + 250); // 0.75 of the first second
    expect(a.report(T0 + 1000)).toEqual({ conc: 0.75, reqs: 1 });
    expect(a.report(T0 + 2000)).toEqual({ conc: 1, reqs: 0 });
    a.end(T0 + 2500);
    expect(a.report(T0 + 3000)).toEqual({ conc: 0.5, reqs: 0 });
  });

  it('subtracts the pushed first request (1, 1) from the next report, floored at 0', () => {
    const a = new ConcurrencyAccumulator(T0);
    a.begin(T0);
    a.markFirstReported();
    a.end(T0 + 100); // average 0.1
    expect(a.report(T0 + 1000)).toEqual({ conc: 0, reqs: 0 });
    a.begin(T0 + 1000);
    expect(a.report(T0 + 2000)).toEqual({ conc: 1, reqs: 1 }); // only once
  });

  it('a zero-length period reports the current concurrency', () => {
    const a = new ConcurrencyAccumulator(T0);
    a.begin(T0);
    a.begin(T0);
    expect(a.report(T0).conc).toBe(2);
  });
});

describe('ActivatorLoad', () => {
  it('flags the first request of a revision, and again after the entry went idle', () => {
    const l = new ActivatorLoad();
    expect(l.begin('ns/a', T0)).toBe(true);
    expect(l.begin('ns/a', T0)).toBe(false);
    expect(l.begin('ns/b', T0)).toBe(true);
    l.end('ns/a', T0 + 1000);
    l.end('ns/a', T0 + 1000);
    l.end('ns/b', T0 + 1000);
    expect(l.reportAll(T0 + 1000).map((r) => r.key)).toEqual(['ns/a', 'ns/b']);
    // a whole idle period: reported once with zeros, then forgotten
    expect(l.reportAll(T0 + 2000)).toEqual([
      { key: 'ns/a', conc: 0, reqs: 0 },
      { key: 'ns/b', conc: 0, reqs: 0 },
    ]);
    expect(l.reportAll(T0 + 3000)).toEqual([]);
    expect(l.begin('ns/a', T0 + 3000)).toBe(true);
  });

  it('a known load: 3 requests in flight for the whole second → conc 3', () => {
    const l = new ActivatorLoad();
    for (let i = 0; i < 3; i++) l.begin('ns/a', T0);
    l.reportAll(T0);
    expect(l.reportAll(T0 + 1000)).toEqual([{ key: 'ns/a', conc: 3, reqs: 0 }]);
    expect(l.current('ns/a')).toBe(3);
  });
});

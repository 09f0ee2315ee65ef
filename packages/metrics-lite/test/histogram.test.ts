import { describe, expect, it } from '@jest/globals';
import { Gauge, Histogram, Registry } from 'prom-client';
import { HistogramSeries, registerHistogram, registerScrapeMetric } from '@kpa-ts/metrics-lite';

const BOUNDS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();

describe('HistogramSeries + registerHistogram', () => {
  // Boundary values on purpose: 0.001 belongs to le=0.001, 0.0010001 to le=0.005; 7 only to +Inf.
  const OBS: Array<[number, number]> = [[0, 0], [0, 0.001], [0, 0.0010001], [1, 0.3], [0, 7], [1, 1]];
  const SERIES = [{ namespace: 'a', revision: 'one' }, { namespace: 'b', revision: 'two' }, { namespace: 'c', revision: 'idle' }];

  it('exposes what a prom-client Histogram labelled by namespace, revision exposes (unobserved series absent)', async () => {
    const refReg = new Registry();
    const ref = new Histogram({ name: 'w_seconds', help: 'Waits', labelNames: ['namespace', 'revision'], buckets: BOUNDS, registers: [refReg] });
    const reg = new Registry();
    const series = SERIES.map((l) => new HistogramSeries(BOUNDS, l));
    registerHistogram(reg, 'w_seconds', 'Waits', () => series);
    for (const [i, v] of OBS) {
      ref.observe(SERIES[i] ?? {}, v);
      series[i]?.observe(v);
    }
    const text = await reg.metrics();
    expect(lines(text)).toEqual(lines(await refReg.metrics()));
    expect(text).toContain('w_seconds_bucket{le="0.001",namespace="a",revision="one"} 2');
    expect(text).not.toContain('revision="idle"');
  });

  it('counts and sums; a reset empties it and hides the series', async () => {
    const reg = new Registry();
    const s = new HistogramSeries(BOUNDS, { namespace: 'n', revision: 'r' });
    registerHistogram(reg, 'v_seconds', 'Waits', s);
    s.observe(0.25);
    s.observe(0.75);
    expect([s.count, s.sum]).toEqual([2, 1]);
    reg.resetMetrics();
    expect([s.count, s.sum]).toEqual([0, 0]);
    expect(await reg.metrics()).not.toContain('v_seconds_count{');
  });
});

describe('registerScrapeMetric', () => {
  it('a gauge read at scrape time exposes what a prom-client Gauge with the same values does', async () => {
    const refReg = new Registry();
    const ref = new Gauge({ name: 'g', help: 'Things now', labelNames: ['namespace', 'revision'], registers: [refReg] });
    ref.set({ namespace: 'a', revision: 'one' }, 3);
    ref.set({ namespace: 'b', revision: 'two' }, 0);
    const reg = new Registry();
    let n = 0;
    registerScrapeMetric(reg, {
      name: 'g',
      help: 'Things now',
      type: 'gauge',
      collect: (out) => {
        out.push({ labels: { namespace: 'a', revision: 'one' }, value: n }, { labels: { namespace: 'b', revision: 'two' }, value: 0 });
      },
    });
    n = 3;
    expect(lines(await reg.metrics())).toEqual(lines(await refReg.metrics()));
    const json = await reg.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'g')?.type).toBe('gauge');
  });
});

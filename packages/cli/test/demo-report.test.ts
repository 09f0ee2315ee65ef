import { describe, expect, it } from '@jest/globals';
import { asciiChart, availability, demoJson, liveLine, parsePromText, pick, quantile, renderTimeline, siegeSummary, sum, type DemoRun, type DemoSample, type LoadTotals } from '@kpa-ts/cli';

const totals = (o: Partial<LoadTotals> = {}): LoadTotals => ({ ok: 4, failed: 0, bytes: 2_000_000, elapsedMs: 2000, latenciesMs: [100, 200, 300, 400], firstResponseMs: 350, failures: {}, ...o });

const sample = (tS: number, ready: number, o: Partial<DemoSample> = {}): DemoSample => ({
  tS, phase: 'burst', clients: 10, ok: 5, failed: 0, inFlight: 10, ready, replicas: ready, pods: ready, desired: ready,
  stable: 12.34, panic: 20, panicking: false, mode: 'proxy', queued: 0, ...o,
});

describe('siege summary', () => {
  it('computes the siege fields from the totals', () => {
    const text = siegeSummary(totals());
    expect(text).toContain('Transactions:                      4 hits');
    expect(text).toMatch(/Availability:\s+100\.00 %/);
    expect(text).toMatch(/Elapsed time:\s+2\.00 secs/);
    expect(text).toMatch(/Data transferred:\s+2\.00 MB/);
    expect(text).toMatch(/Response time:\s+0\.25 secs/); // (0.1 + 0.2 + 0.3 + 0.4) / 4
    expect(text).toMatch(/Transaction rate:\s+2\.00 trans\/sec/);
    expect(text).toMatch(/Throughput:\s+1\.00 MB\/sec/);
    expect(text).toMatch(/Concurrency:\s+0\.50/); // 1 s of response time over 2 s
    expect(text).toMatch(/Longest transaction:\s+0\.40/);
    expect(text).toMatch(/Shortest transaction:\s+0\.10/);
  });

  it.each([
    [{ ok: 0, failed: 0 }, 100],
    [{ ok: 9999, failed: 1 }, 99.99],
    [{ ok: 2, failed: 1 }, 66.66],
  ])('availability %j → %f % (truncated, never rounded up to 100)', (t, want) => {
    expect(availability(t)).toBe(want);
  });

  it('quantile: nearest rank', () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
  });
});

describe('demo JSON line', () => {
  it('has the fields the brief names', () => {
    const run: DemoRun = { startMs: 0, samples: [sample(0, 0), sample(1, 3), sample(2, 0, { pods: 0 })], events: [], load: totals({ failed: 1 }), backAtZero: true, backAtZeroMs: 9000 };
    expect(demoJson(run, '/tmp/x')).toEqual({ requests: 5, failures: 1, availability: 80, maxPods: 3, finalPods: 0, firstResponseMs: 350, backAtZero: true, backAtZeroMs: 9000, elapsedMs: 2000, p50Ms: 200, p99Ms: 400, logDir: '/tmp/x' });
  });
});

describe('timeline and live line', () => {
  it('sorts events and shows them relative to the burst start', () => {
    expect(renderTimeline([{ atMs: 3500, kind: 'scale', text: 'scaled 1 → 3 replicas' }, { atMs: 1100, kind: 'poke', text: 'first poke' }], 1000)).toBe('     +0.1s  first poke\n     +2.5s  scaled 1 → 3 replicas');
  });

  it('shows pods, averages, mode, panic, rate and failures', () => {
    const line = liveLine(sample(12, 2, { replicas: 3, panicking: true, stable: undefined, mode: 'serve', ok: 1234, failed: 2 }));
    expect(line).toContain('[  12s]');
    expect(line).toContain('pods 2/3 ready/desired');
    expect(line).toContain('stable      –');
    expect(line).toContain('mode serve');
    expect(line).toContain('PANIC');
    expect(line).toContain('1234 req/s');
    expect(line).toContain('2 failed');
  });
});

describe('ascii chart', () => {
  it('draws ready pods, pending ones, the burst and panic marks', () => {
    const chart = asciiChart([sample(0, 0, { replicas: 1 }), sample(1, 1, { replicas: 2, panicking: true }), sample(2, 2), sample(3, 0, { phase: 'idle' })], { width: 10 });
    expect(chart.split('\n').slice(0, 4)).toEqual(['  2 │ ░█ ', '  1 │░██ ', '    └────', '     ^!^ ']);
  });
});

describe('prometheus text', () => {
  const page = [
    '# HELP autoscaler_desired_pods x',
    '# TYPE autoscaler_desired_pods gauge',
    'autoscaler_desired_pods{namespace="ns",revision="a"} 3',
    'autoscaler_desired_pods{namespace="ns",revision="b"} 1',
    'autoscaler_revisions 2',
    'weird{label="with \\"quote\\""} 1.5e3',
  ].join('\n');

  it('picks by name and labels, sums', () => {
    const s = parsePromText(page);
    expect(pick(s, 'autoscaler_desired_pods', { revision: 'b' })).toBe(1);
    expect(pick(s, 'autoscaler_desired_pods', { revision: 'c' })).toBeUndefined();
    expect(sum(s, 'autoscaler_desired_pods')).toBe(4);
    expect(pick(s, 'autoscaler_revisions')).toBe(2);
    expect(pick(s, 'weird', { label: 'with "quote"' })).toBe(1500);
  });
});

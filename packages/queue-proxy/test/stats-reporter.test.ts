import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../src/clock.js';
import { RequestStats } from '../src/request-stats.js';
import { createStatsReporter, nextReportDueMs, toStatRecord } from '../src/stats-reporter.js';
import { createMemoryStatsSink } from '../src/stats-sink.js';

function manualClock(startMs: number, epochOffsetMs: number): Clock & { advance(ms: number): void } {
  let now = startMs;
  return { monotonicMs: () => now, epochMs: () => now + epochOffsetMs, advance: (ms) => void (now += ms) };
}

describe('stats reporter', () => {
  it('publishes one StatRecord per tick with the period’s averages, counts and uptime', () => {
    const clock = manualClock(1000, 1_700_000_000_000);
    const stats = new RequestStats(clock.monotonicMs());
    const sink = createMemoryStatsSink();
    const seen: number[] = [];
    const reporter = createStatsReporter({
      stats,
      sink,
      clock,
      identity: { ns: 'ns', rev: 'rev', pod: 'pod-a' },
      startedAtMs: 500,
      onReport: (r) => seen.push(r.periodMs),
    });
    stats.requestIn(true, clock.monotonicMs());
    clock.advance(250);
    stats.requestIn(false, clock.monotonicMs());
    clock.advance(750);
    reporter.tick();
    stats.requestOut(true, clock.monotonicMs());
    clock.advance(1000);
    reporter.tick();
    expect(sink.stats).toEqual([
      { ns: 'ns', rev: 'rev', pod: 'pod-a', ts: 1_700_000_002_000, conc: 1.75, pconc: 1, reqs: 2, preqs: 1, uptime: 1.5, src: 'qp' },
      { ns: 'ns', rev: 'rev', pod: 'pod-a', ts: 1_700_000_003_000, conc: 1, pconc: 0, reqs: 0, preqs: 0, uptime: 2.5, src: 'qp' },
    ]);
    expect(seen).toEqual([1000, 1000]);
  });

  it('rounds to integers where the stream wants integers and never goes negative', () => {
    const stat = toStatRecord({ averageConcurrency: -1e-12, averageProxiedConcurrency: 1 / 3, requestCount: 3, proxiedRequestCount: 1, periodMs: 1000 }, { ns: 'a', rev: 'b', pod: 'c' }, 1234.6, 1500);
    expect(stat).toMatchObject({ ts: 1235, conc: 0, pconc: 0.333333, uptime: 1.5 });
  });

  // Issue #5 follow-up: a period that ends where its second ends is counted where its load was.
  it.each([
    [5_000, 5_980],
    [5_979, 5_980],
    [5_980, 6_980],
    [5_999, 6_980],
  ])('the next report after %i is due at %i (20 ms before the second ends)', (now, due) => {
    expect(nextReportDueMs(now, 1000, 20)).toBe(due);
  });
});

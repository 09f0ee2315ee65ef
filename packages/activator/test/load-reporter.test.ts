import { describe, expect, it } from '@jest/globals';
import { createActivatorMetrics, LoadReporter } from '@kpa-ts/activator';
import type { PokeRecord, StatRecord } from '@kpa-ts/bus';
import { Registry } from 'prom-client';
import { ManualClock } from './helpers/manual-clock.js';

function make(withSinks = true) {
  const clock = new ManualClock(1_000_000);
  const stats: StatRecord[] = [];
  const pokes: PokeRecord[] = [];
  const reporter = new LoadReporter({
    clock,
    activatorName: 'act-1',
    stats: withSinks ? { publish: (s) => stats.push(s) } : undefined,
    pokes: withSinks ? { poke: (p) => pokes.push(p) } : undefined,
    metrics: createActivatorMetrics(new Registry()),
    intervalMs: 1000,
    pokeIntervalMs: 1000,
  });
  return { clock, stats, pokes, reporter };
}

describe('LoadReporter', () => {
  it('pushes (1, 1) at once for the first request, then reports time-weighted averages each second minus that 1', () => {
    const { clock, stats, reporter } = make();
    reporter.start();
    reporter.begin('ns', 'r');
    reporter.begin('ns', 'r');
    expect(stats).toEqual([{ ns: 'ns', rev: 'r', pod: 'act-1', ts: 1_000_000, conc: 1, pconc: 0, reqs: 1, preqs: 0, uptime: 0, src: 'act' }]);
    clock.advance(500);
    reporter.end('ns', 'r'); // 2 for 0.5 s, then 1 for 0.5 s → 1.5, minus the pushed 1 → 0.5
    clock.advance(500);
    expect(stats[1]).toMatchObject({ ts: 1_001_000, conc: 0.5, reqs: 1, uptime: 1 });
    clock.advance(1000); // 1 in flight all second
    expect(stats[2]).toMatchObject({ conc: 1, reqs: 0 });
    reporter.end('ns', 'r');
    clock.advance(2000); // one zero report, then the entry is forgotten
    expect(stats.slice(3).map((s) => s.conc)).toEqual([0]);
    reporter.begin('ns', 'r');
    expect(stats.at(-1)).toMatchObject({ conc: 1, reqs: 1 }); // a first request again
    reporter.stop();
  });

  it('pokes at once, then at most once per interval per revision', () => {
    const { clock, pokes, reporter } = make();
    reporter.poke('ns', 'a');
    reporter.poke('ns', 'a');
    reporter.poke('ns', 'b');
    clock.advance(999);
    reporter.poke('ns', 'a');
    clock.advance(1);
    reporter.poke('ns', 'a');
    expect(pokes.map((p) => `${p.rev}@${p.ts - 1_000_000}`)).toEqual(['a@0', 'b@0', 'a@1000']);
    expect(pokes[0]).toMatchObject({ ns: 'ns', activator: 'act-1' });
  });

  it('without a bus it still counts, and publishes nothing', () => {
    const { clock, stats, reporter } = make(false);
    reporter.begin('ns', 'r');
    reporter.poke('ns', 'r');
    clock.advance(1000);
    reporter.tick();
    expect(stats).toEqual([]);
  });
});

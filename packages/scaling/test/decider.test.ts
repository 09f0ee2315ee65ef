import { describe, expect, it } from '@jest/globals';
import { createScaler, type ScaleDecision, type ScaleInput, type ScalerSpec } from '@kpa-ts/scaling';
import { loadGolden } from './golden.js';

interface Tick extends ScaleInput {
  update?: Partial<ScalerSpec>;
  expect: Partial<ScaleDecision>;
}
interface DeciderCase {
  name: string;
  spec: Partial<ScalerSpec>;
  init: { nowMs: number; readyPods: number };
  ticks: Tick[];
  why: string;
}
interface DeciderGolden {
  base: ScalerSpec;
  cases: DeciderCase[];
}

const golden = loadGolden<DeciderGolden>('decider.json');

describe('createScaler (golden: test/golden/decider.json)', () => {
  it('has enough worked cases', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let spec: ScalerSpec = { ...golden.base, ...c.spec };
    const scaler = createScaler(spec, c.init);
    for (const [i, tick] of c.ticks.entries()) {
      if (tick.update) {
        spec = { ...spec, ...tick.update };
        scaler.update(spec);
      }
      const got = scaler.scale({ nowMs: tick.nowMs, readyPods: tick.readyPods, stableAvg: tick.stableAvg, panicAvg: tick.panicAvg });
      expect({ tick: i, ...got }).toMatchObject({ tick: i, ...tick.expect });
    }
  });
});

describe('createScaler details', () => {
  const spec = golden.base;

  it('reports its panic state', () => {
    const scaler = createScaler(spec, { nowMs: 1000, readyPods: 4 });
    expect(scaler.state()).toEqual({ panicking: true, panicTimeMs: 1000, maxPanicPods: 4 });
  });

  it('treats a non-finite average as no data', () => {
    const scaler = createScaler(spec, { nowMs: 0, readyPods: 1 });
    expect(scaler.scale({ nowMs: 2000, readyPods: 1, stableAvg: Number.NaN, panicAvg: 1 }).valid).toBe(false);
  });

  it('a new scale-down delay starts a new delay window', () => {
    const s = { ...spec, panicThreshold: 10, scaleDownDelayMs: 10_000 };
    const scaler = createScaler(s, { nowMs: 0, readyPods: 1 });
    expect(scaler.scale({ nowMs: 2000, readyPods: 4, stableAvg: 40, panicAvg: 40 }).desiredPodCount).toBe(4);
    expect(scaler.scale({ nowMs: 4000, readyPods: 4, stableAvg: 0, panicAvg: 0 }).desiredPodCount).toBe(4);
    scaler.update({ ...s, scaleDownDelayMs: 0 });
    expect(scaler.scale({ nowMs: 6000, readyPods: 4, stableAvg: 0, panicAvg: 0 }).desiredPodCount).toBe(2);
  });
});

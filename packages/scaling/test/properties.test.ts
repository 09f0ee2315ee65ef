// Property tests: invariants of the decider and the reconcile step over random inputs (fast-check).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  createScaler,
  decideScale,
  type PAState,
  type ReconcileInput,
  type ReconcileSpec,
  type ScaleInput,
  type ScalerSpec,
} from '@kpa-ts/scaling';

const RUNS = 300;

const scalerSpec: fc.Arbitrary<ScalerSpec> = fc.record({
  metric: fc.constantFrom('concurrency' as const, 'rps' as const),
  targetValue: fc.double({ min: 0.01, max: 500, noNaN: true }),
  totalValue: fc.double({ min: 0.01, max: 1000, noNaN: true }),
  targetBurstCapacity: fc.oneof(fc.constant(-1), fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })),
  panicThreshold: fc.double({ min: 1.1, max: 10, noNaN: true }),
  maxScaleUpRate: fc.double({ min: 1.01, max: 1000, noNaN: true }),
  maxScaleDownRate: fc.double({ min: 1.01, max: 100, noNaN: true }),
  stableWindowMs: fc.integer({ min: 6, max: 3600 }).map((s) => s * 1000),
  scaleDownDelayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 }).map((s) => s * 1000)),
  activationScale: fc.constant(0),
  activatorCapacity: fc.double({ min: 1, max: 1000, noNaN: true }),
  reachable: fc.boolean(),
});

const load = fc.double({ min: 0, max: 1e5, noNaN: true });
const ready = fc.integer({ min: 0, max: 200 });

/** A history of ticks with a fixed ready count, 2 s apart. */
const history = fc.array(fc.tuple(load, load), { maxLength: 20 });

function run(spec: ScalerSpec, readyPods: number, ticks: Array<[number, number]>): ReturnType<typeof createScaler> {
  const scaler = createScaler(spec, { nowMs: 0, readyPods });
  ticks.forEach(([stableAvg, panicAvg], i) => scaler.scale({ nowMs: 2000 * (i + 1), readyPods, stableAvg, panicAvg }));
  return scaler;
}

describe('decider properties', () => {
  it('never scales up past ceil(maxScaleUpRate × max(1, ready)) (activation scale off)', () => {
    fc.assert(
      fc.property(scalerSpec, ready, history, load, load, (spec, readyPods, ticks, stableAvg, panicAvg) => {
        const scaler = run(spec, readyPods, ticks);
        const d = scaler.scale({ nowMs: 2000 * (ticks.length + 1), readyPods, stableAvg, panicAvg });
        expect(d.desiredPodCount).toBeLessThanOrEqual(Math.ceil(spec.maxScaleUpRate * Math.max(1, readyPods)));
      }),
      { numRuns: RUNS },
    );
  });

  it('more load never gives fewer pods (same state)', () => {
    fc.assert(
      fc.property(scalerSpec, ready, history, load, load, load, load, (spec, readyPods, ticks, s1, p1, ds, dp) => {
        const nowMs = 2000 * (ticks.length + 1);
        const low = run(spec, readyPods, ticks).scale({ nowMs, readyPods, stableAvg: s1, panicAvg: p1 });
        const high = run(spec, readyPods, ticks).scale({ nowMs, readyPods, stableAvg: s1 + ds, panicAvg: p1 + dp });
        expect(high.desiredPodCount).toBeGreaterThanOrEqual(low.desiredPodCount);
      }),
      { numRuns: RUNS },
    );
  });

  it('no data never gives a valid decision, nor zero', () => {
    const missing = fc.record({
      readyPods: fc.option(ready, { nil: undefined }),
      stableAvg: fc.option(load, { nil: undefined }),
      panicAvg: fc.option(load, { nil: undefined }),
    }).filter((i) => i.readyPods === undefined || i.stableAvg === undefined || i.panicAvg === undefined);
    fc.assert(
      fc.property(scalerSpec, ready, history, missing, (spec, readyPods, ticks, input) => {
        const scaler = run(spec, readyPods, ticks);
        const d = scaler.scale({ nowMs: 2000 * (ticks.length + 1), ...input } as ScaleInput);
        expect(d.valid).toBe(false);
        expect(d.desiredPodCount).not.toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});

const boundsAndSpec = fc
  .record({ min: fc.integer({ min: 0, max: 20 }), extra: fc.integer({ min: 0, max: 20 }), unlimited: fc.boolean() })
  .chain(({ min, extra, unlimited }) =>
    fc.record({
      minScale: fc.constant(min),
      maxScale: fc.constant(unlimited ? 0 : Math.max(1, min + extra)),
      initialScale: fc.integer({ min: 0, max: 30 }),
      enableScaleToZero: fc.boolean(),
      scaleToZeroGracePeriodMs: fc.integer({ min: 1, max: 120_000 }),
      scaleToZeroPodRetentionPeriodMs: fc.integer({ min: 0, max: 120_000 }),
      stableWindowMs: fc.integer({ min: 6, max: 600 }).map((s) => s * 1000),
      activationTimeoutMs: fc.integer({ min: 1, max: 700_000 }),
      reachable: fc.boolean(),
      targetBurstCapacity: fc.oneof(fc.constant(-1), fc.constant(0), fc.constant(211)),
    }),
  );

const paState: fc.Arbitrary<PAState> = fc.record({
  condition: fc.constantFrom('activating' as const, 'active' as const, 'inactive' as const),
  reason: fc.constantFrom('Queued' as const, 'Active' as const, 'NoTraffic' as const),
  sinceMs: fc.integer({ min: 0, max: 1_000_000 }),
  scaleTargetInitialized: fc.boolean(),
  desiredScale: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
  mode: fc.constantFrom('proxy' as const, 'serve' as const),
});

const reconcileInput = (desired: fc.Arbitrary<number>): fc.Arbitrary<ReconcileInput> =>
  fc.record({
    nowMs: fc.integer({ min: 1_000_000, max: 2_000_000 }),
    decider: fc.record({ desiredScale: desired, excessBurstCapacity: fc.integer({ min: -500, max: 500 }) }),
    readyPods: fc.integer({ min: 0, max: 60 }),
    currentReplicas: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    activatorInPath: fc.boolean(),
    proxySinceMs: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
  });

const scalerFor = (r: ReconcileSpec): ScalerSpec => ({
  metric: 'concurrency', targetValue: 70, totalValue: 100, targetBurstCapacity: r.targetBurstCapacity, panicThreshold: 2,
  maxScaleUpRate: 1000, maxScaleDownRate: 2, stableWindowMs: r.stableWindowMs, scaleDownDelayMs: 0, activationScale: 0,
  activatorCapacity: 100, reachable: r.reachable,
});

describe('decideScale properties', () => {
  it('an applied scale stays within [min, max] when max > 0', () => {
    fc.assert(
      fc.property(boundsAndSpec, paState, reconcileInput(fc.integer({ min: -1, max: 100 })), (reconcile, state, input) => {
        const r = decideScale({ reconcile, scaler: scalerFor(reconcile) }, state, input);
        if (!r.apply || reconcile.maxScale === 0) return;
        const min = reconcile.reachable ? reconcile.minScale : 0;
        expect(r.want).toBeGreaterThanOrEqual(min);
        expect(r.want).toBeLessThanOrEqual(reconcile.maxScale);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('an unknown decider (invalid ticks only) never scales a revision with pods to zero', () => {
    fc.assert(
      fc.property(boundsAndSpec, paState, reconcileInput(fc.constant(-1)), (reconcile, state, input) => {
        const r = decideScale({ reconcile, scaler: scalerFor(reconcile) }, state, input);
        // The only way to 0 from "unknown" is Knative's activation timeout (stuck activating).
        if (r.scaleTo === 0) {
          expect(state.condition).toBe('activating');
          expect(input.nowMs - state.sinceMs).toBeGreaterThan(reconcile.activationTimeoutMs);
        }
        expect(r.scaleTo === undefined || r.scaleTo >= 0).toBe(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a bigger decider scale never applies fewer pods (same state)', () => {
    fc.assert(
      fc.property(boundsAndSpec, paState, reconcileInput(fc.integer({ min: 0, max: 100 })), fc.integer({ min: 0, max: 50 }), (reconcile, state, input, more) => {
        const spec = { reconcile, scaler: scalerFor(reconcile) };
        const low = decideScale(spec, state, input);
        const high = decideScale(spec, state, { ...input, decider: { ...input.decider, desiredScale: input.decider.desiredScale + more } });
        if (low.apply && high.apply) expect(high.want).toBeGreaterThanOrEqual(low.want);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('decider + reconcile: an invalid tick never leads to zero', () => {
  it('invalid decisions leave the decider status, so decideScale never goes to 0 on them', () => {
    fc.assert(
      fc.property(scalerSpec, ready, (spec, readyPods) => {
        const d = createScaler(spec, { nowMs: 0, readyPods }).scale({ nowMs: 2000, readyPods, stableAvg: undefined, panicAvg: undefined });
        expect(d.valid).toBe(false);
        expect(d.desiredPodCount).toBe(-1);
      }),
      { numRuns: RUNS },
    );
  });
});

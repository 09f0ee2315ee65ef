import { describe, expect, it } from '@jest/globals';
import {
  decideScale,
  initialPAState,
  type PAState,
  type ReconcileInput,
  type ReconcileResult,
  type ReconcileSpec,
  type ScalerSpec,
} from '@kpa-ts/scaling';
import { loadGolden } from './golden.js';

interface ReconcileCase {
  name: string;
  reconcile?: Partial<ReconcileSpec>;
  scaler?: Partial<ScalerSpec>;
  state?: Partial<PAState>;
  input?: Partial<ReconcileInput>;
  expect: Omit<Partial<ReconcileResult>, 'state'> & { state?: Partial<PAState> };
  why: string;
}
interface ReconcileGolden {
  base: { reconcile: ReconcileSpec; scaler: ScalerSpec; state: PAState; input: ReconcileInput };
  cases: ReconcileCase[];
}

const golden = loadGolden<ReconcileGolden>('reconcile.json');

describe('decideScale (golden: test/golden/reconcile.json)', () => {
  it('has enough worked cases', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const b = golden.base;
    const spec = { reconcile: { ...b.reconcile, ...c.reconcile }, scaler: { ...b.scaler, ...c.scaler } };
    const state = { ...b.state, ...c.state };
    const input = { ...b.input, ...c.input };
    const got = decideScale(spec, state, input);
    const { state: wantState, ...wantRest } = c.expect;
    for (const [k, v] of Object.entries(wantRest)) expect({ [k]: got[k as keyof ReconcileResult] }).toEqual({ [k]: v });
    if (wantState) for (const [k, v] of Object.entries(wantState)) expect({ [`state.${k}`]: got.state[k as keyof PAState] }).toEqual({ [`state.${k}`]: v });
  });
});

describe('decideScale flows', () => {
  const b = golden.base;
  const spec = { reconcile: b.reconcile, scaler: b.scaler };

  it('walks a revision from creation to active to zero', () => {
    let state = initialPAState(0);
    const input = (nowMs: number, desiredScale: number, ebc: number, readyPods: number, extra: Partial<ReconcileInput> = {}): ReconcileInput => ({
      nowMs, decider: { desiredScale, excessBurstCapacity: ebc }, readyPods, currentReplicas: 1, activatorInPath: false, proxySinceMs: undefined, ...extra,
    });
    // Created: the decider knows nothing; activating → bounds give 0 → wait (activation timeout).
    let r = decideScale(spec, state, input(1000, -1, -111, 0));
    expect([r.want, r.apply, r.mode, r.state.condition]).toEqual([-1, false, 'proxy', 'activating']);
    state = r.state;
    // The pod is ready and load arrives: Active.
    r = decideScale(spec, state, input(5000, 1, -111, 1));
    expect([r.want, r.apply, r.scaleTo, r.state.condition, r.state.sinceMs]).toEqual([1, true, undefined, 'active', 5000]);
    state = r.state;
    // Idle after 70 s of activity: the PA goes Inactive, the pod stays.
    r = decideScale(spec, state, input(75_000, 0, -111, 1));
    expect([r.want, r.apply, r.mode, r.state.condition]).toEqual([0, false, 'proxy', 'inactive']);
    state = r.state;
    // The activator answers the probe and has been in Proxy mode for the grace period: to zero.
    r = decideScale(spec, state, input(106_000, 0, -111, 1, { activatorInPath: true, proxySinceMs: 75_000 }));
    expect([r.want, r.apply, r.scaleTo]).toEqual([0, true, 0]);
  });
});

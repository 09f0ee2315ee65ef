// The first-sight rule (issue #5 follow-up), table-driven: what a replica infers from the persisted
// latest decision and what runs when it starts scaling a revision.
import { describe, expect, it } from '@jest/globals';
import type { DecisionRecord } from '@kpa-ts/bus';
import { DEFAULT_AUTOSCALER_CONFIG, makeRevisionSpec, type Annotations, type AutoscalerConfig } from '@kpa-ts/config';
import { adoptPAState, initialReplicas, lowerBound, reactivate, type AdoptionRule } from '@kpa-ts/autoscaler';
import type { ActiveCondition, ReconcileSpec } from '@kpa-ts/scaling';
import { persistedDecision, T0 } from './helpers.js';

function reconcileSpec(annotations: Annotations = {}, config: Partial<AutoscalerConfig> = {}, reachable = true): ReconcileSpec {
  return makeRevisionSpec({ ...DEFAULT_AUTOSCALER_CONFIG, ...config }, annotations, 0, { reachable }).reconcile;
}

interface Case {
  name: string;
  spec?: ReconcileSpec;
  persisted: Partial<DecisionRecord> | null;
  replicas: number;
  ready: number;
  rule: AdoptionRule;
  condition: ActiveCondition;
  initialized: boolean;
  createAt?: number;
  mode?: 'proxy' | 'serve';
}

const cases: Case[] = [
  // No persisted decision: the revision was never decided.
  { name: 'none, at zero → new: Activating, not initialised, created at initial-scale 1', persisted: null, replicas: 0, ready: 0, rule: 'new', condition: 'activating', initialized: false, createAt: 1 },
  { name: 'none, 1 replica starting → new, already at initial-scale', persisted: null, replicas: 1, ready: 0, rule: 'new', condition: 'activating', initialized: false },
  { name: 'none, initial-scale 0 (allowed) → new, nothing to create', spec: reconcileSpec({ initialScale: 0 }, { allowZeroInitialScale: true }), persisted: null, replicas: 0, ready: 0, rule: 'new', condition: 'activating', initialized: false },
  { name: 'none, initial-scale 5 above max-scale 3 → created at 3', spec: reconcileSpec({ initialScale: 5, maxScale: 3 }), persisted: null, replicas: 0, ready: 0, rule: 'new', condition: 'activating', initialized: false, createAt: 3 },
  { name: 'none, min-scale 2 → new (decideScale applies 2 while activating)', spec: reconcileSpec({ minScale: 2 }), persisted: null, replicas: 0, ready: 0, rule: 'new', condition: 'activating', initialized: false, createAt: 1 },
  { name: 'none but 3 ready (hash lost) → Active, as the pods show', persisted: null, replicas: 3, ready: 3, rule: 'running', condition: 'active', initialized: true, mode: 'serve' },
  { name: 'none, 2 ready, min-scale 3 → below-min: Activating', spec: reconcileSpec({ minScale: 3 }), persisted: null, replicas: 2, ready: 2, rule: 'below-min', condition: 'activating', initialized: true },
  // A persisted decision: restore it.
  { name: 'desired 0, at zero → Inactive in Proxy (no flap to 1)', persisted: {}, replicas: 0, ready: 0, rule: 'restored-inactive', condition: 'inactive', initialized: true, mode: 'proxy' },
  { name: 'desired 0, last pod still up (grace period) → Inactive', persisted: { ready: 1 }, replicas: 1, ready: 1, rule: 'restored-inactive', condition: 'inactive', initialized: true, mode: 'proxy' },
  { name: 'desired 3, 3 ready → Active, its mode kept', persisted: { desired: 3, ready: 3, ebc: 50, mode: 'serve' }, replicas: 3, ready: 3, rule: 'restored-active', condition: 'active', initialized: true, mode: 'serve' },
  { name: 'desired 1, none ready (cold start in flight) → Activating, not initialised', persisted: { desired: 1 }, replicas: 1, ready: 0, rule: 'restored-activating', condition: 'activating', initialized: false },
  { name: 'desired 2 with 2 ready then, none ready now → Activating, initialised', persisted: { desired: 2, ready: 2 }, replicas: 2, ready: 0, rule: 'restored-activating', condition: 'activating', initialized: true },
  { name: 'desired 0, min-scale 2 now (raised while unwatched) → below-min: Activating', spec: reconcileSpec({ minScale: 2 }), persisted: {}, replicas: 0, ready: 0, rule: 'below-min', condition: 'activating', initialized: true, mode: 'proxy' },
  { name: 'desired 0, min-scale 2 but unreachable (no lower bound) → Inactive', spec: reconcileSpec({ minScale: 2 }, {}, false), persisted: {}, replicas: 0, ready: 0, rule: 'restored-inactive', condition: 'inactive', initialized: true },
  { name: 'desired 2, 2 ready, min-scale 2 → Active (bound met)', spec: reconcileSpec({ minScale: 2 }), persisted: { desired: 2, ready: 2 }, replicas: 2, ready: 2, rule: 'restored-active', condition: 'active', initialized: true },
];

describe('adoptPAState: the first-sight rule', () => {
  it.each(cases)('$name', ({ spec, persisted, replicas, ready, rule, condition, initialized, createAt, mode }) => {
    const got = adoptPAState(spec ?? reconcileSpec(), {
      nowMs: T0,
      readyPods: ready,
      currentReplicas: replicas,
      persisted: persisted === null ? null : persistedDecision('r', persisted),
    });
    expect(got.rule).toBe(rule);
    expect(got.state).toMatchObject({ condition, scaleTargetInitialized: initialized, sinceMs: T0 });
    expect(got.createAt).toBe(createAt);
    if (mode !== undefined) expect(got.state.mode).toBe(mode);
  });

  it('restores the persisted desired scale as the PA status desiredScale', () => {
    const got = adoptPAState(reconcileSpec(), { nowMs: T0, readyPods: 4, currentReplicas: 4, persisted: persistedDecision('r', { desired: 4, ready: 4 }) });
    expect(got.state.desiredScale).toBe(4);
  });
});

describe('bounds helpers', () => {
  it('lowerBound is min-scale, 0 when unreachable; initialReplicas is capped by a non-zero max-scale', () => {
    expect(lowerBound(reconcileSpec({ minScale: 2 }))).toBe(2);
    expect(lowerBound(reconcileSpec({ minScale: 2 }, {}, false))).toBe(0);
    expect(initialReplicas(reconcileSpec({ initialScale: 4 }))).toBe(4);
    expect(initialReplicas(reconcileSpec({ initialScale: 4, maxScale: 2 }))).toBe(2);
  });

  it('reactivate: Activating (Queued) from now, the rest of the state kept', () => {
    const inactive = adoptPAState(reconcileSpec(), { nowMs: T0, readyPods: 0, currentReplicas: 0, persisted: persistedDecision('r') }).state;
    expect(reactivate(inactive, T0 + 5_000)).toEqual({ ...inactive, condition: 'activating', reason: 'Queued', sinceMs: T0 + 5_000 });
  });
});

// What a replica decides when it starts scaling a revision (first sight: the revision appeared, the
// service started, or its shard was just gained), and when a raised min-scale wakes a revision up.
// Pure: the caller reads the pods, the replicas and the persisted latest decision.
//
// Knative keeps the PodAutoscaler's status (Active condition, desiredScale, SKS mode) in the API
// server, so an autoscaler restart loses nothing, and a NEW revision gets a new PA that starts
// Activating while its Deployment is created at initial-scale replicas. We have no PA object; what
// survives a restart is the latest decision per revision in Redis (`kpa:decisions:latest`).
import type { DecisionRecord } from '@kpa-ts/bus';
import { initialPAState, type PAState, type ReconcileSpec } from '@kpa-ts/scaling';

/** Which first-sight rule applied (logged, counted in `autoscaler_adoptions_total{rule}`). */
export type AdoptionRule =
  /** No persisted decision, no ready pod: a new revision → Activating, created at initial-scale. */
  | 'new'
  /** No persisted decision but ready pods (the hash was lost, e.g. Redis without persistence) → Active. */
  | 'running'
  /** Persisted desired 0 → Inactive, activator in the path (Proxy): stays at zero until a request. */
  | 'restored-inactive'
  /** Persisted desired > 0 and ready pods → Active (the decider starts in panic with > 1 ready pod). */
  | 'restored-active'
  /** Persisted desired > 0, no ready pod yet (a cold start was in flight) → Activating. */
  | 'restored-activating'
  /** A restored revision below its min-scale (raised while no replica watched it) → Activating. */
  | 'below-min';

export interface AdoptionInput {
  nowMs: number;
  readyPods: number;
  /** Replicas of the scale target now (undefined reads as 1, like Knative's nil replicas). */
  currentReplicas: number | undefined;
  /** The latest decision Redis keeps for the revision; null when it has none. */
  persisted: DecisionRecord | null;
}

export interface Adoption {
  rule: AdoptionRule;
  state: PAState;
  /**
   * Replicas to set the scale target to while the new revision is still activating, as Knative
   * creates a revision's Deployment at initial-scale (undefined: leave the replicas alone).
   */
  createAt: number | undefined;
}

/** The lower bound the reconciler enforces: min-scale, none for an unreachable revision. */
export function lowerBound(spec: ReconcileSpec): number {
  return spec.reachable ? spec.minScale : 0;
}

/** initial-scale, never above a non-zero max-scale (as `decideScale` caps it). */
export function initialReplicas(spec: ReconcileSpec): number {
  return spec.maxScale > 0 ? Math.min(spec.initialScale, spec.maxScale) : spec.initialScale;
}

/**
 * A revision whose lower bound now exceeds its replicas is treated like a new revision: Activating,
 * so `decideScale` applies min-scale even while the decider knows nothing (at zero no pod reports).
 * Whether the scale target counts as initialised is kept: initial-scale is applied once per revision.
 */
export function reactivate(state: PAState, nowMs: number): PAState {
  return { ...state, condition: 'activating', reason: 'Queued', sinceMs: nowMs };
}

/** The PA state the persisted decision stands for (Knative's PA status after a restart). */
function restore(persisted: DecisionRecord, nowMs: number, readyPods: number): Adoption {
  const base = { ...initialPAState(nowMs), desiredScale: persisted.desired, mode: persisted.mode };
  if (persisted.desired === 0) {
    return { rule: 'restored-inactive', state: { ...base, condition: 'inactive', reason: 'NoTraffic', scaleTargetInitialized: true, mode: 'proxy' }, createAt: undefined };
  }
  if (readyPods > 0) {
    return { rule: 'restored-active', state: { ...base, condition: 'active', reason: 'Active', scaleTargetInitialized: true }, createAt: undefined };
  }
  // A cold start was in flight; the revision had reached a scale before if pods were ready then.
  return { rule: 'restored-activating', state: { ...base, condition: 'activating', reason: 'Queued', scaleTargetInitialized: persisted.ready > 0 }, createAt: undefined };
}

/**
 * The first-sight rule:
 * - a persisted decision → restore it: desired 0 → Inactive in Proxy (no flap to 1 after a restart);
 *   desired > 0 → Active with ready pods, else Activating;
 * - none and no ready pod → a new revision: Activating, scale target not initialised (so
 *   `decideScale` holds max(initial-scale, min-scale)), created at initial-scale;
 * - none but ready pods → Active, as the pods show (never Activating: with the decider unknown,
 *   Activating applies min-scale at once, a scale-down from what runs).
 * Then, unless Activating already: a lower bound above the replicas → Activating (`below-min`).
 */
export function adoptPAState(spec: ReconcileSpec, input: AdoptionInput): Adoption {
  const { nowMs, readyPods, currentReplicas, persisted } = input;
  let adoption: Adoption;
  if (persisted !== null) {
    adoption = restore(persisted, nowMs, readyPods);
  } else if (readyPods > 0) {
    const state: PAState = { ...initialPAState(nowMs), condition: 'active', reason: 'Active', scaleTargetInitialized: true, desiredScale: currentReplicas ?? readyPods };
    adoption = { rule: 'running', state, createAt: undefined };
  } else {
    const target = initialReplicas(spec);
    return { rule: 'new', state: initialPAState(nowMs), createAt: (currentReplicas ?? 1) < target ? target : undefined };
  }
  if (adoption.state.condition !== 'activating' && lowerBound(spec) > (currentReplicas ?? 1)) {
    return { rule: 'below-min', state: reactivate(adoption.state, nowMs), createAt: undefined };
  }
  return adoption;
}

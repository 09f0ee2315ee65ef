// The PA's Active condition (Knative's computeActiveCondition, kpa.md d.10) and the scale bounds.
import type { ReconcileSpec } from './types.js';
import type { ActiveCondition, ActiveReason, PAState } from './reconcile-types.js';

/** min/max scale; min is 0 for an unreachable revision (nothing routes to it). max 0 = none. */
export function scaleBounds(spec: ReconcileSpec): { min: number; max: number } {
  return { min: spec.reachable ? spec.minScale : 0, max: spec.maxScale };
}

/** The initial scale, never above a non-zero max-scale (a revision must be able to reach it). */
export function cappedInitialScale(spec: ReconcileSpec): number {
  return spec.maxScale > 0 ? Math.min(spec.initialScale, spec.maxScale) : spec.initialScale;
}

/** Ready pods needed to count as Active: max(min, initialScale) until initialised, then max(min, 1). */
export function activeThreshold(spec: ReconcileSpec, scaleTargetInitialized: boolean): number {
  const { min } = scaleBounds(spec);
  return scaleTargetInitialized ? Math.max(min, 1) : Math.max(min, cappedInitialScale(spec));
}

function mark(state: PAState, condition: ActiveCondition, reason: ActiveReason, nowMs: number): PAState {
  if (state.condition === condition && state.reason === reason) return state;
  return { ...state, condition, reason, sinceMs: nowMs };
}

/**
 * New Active condition from the scale asked for (`want`, -1 unknown) and the ready pods:
 * want 0 (or nothing required) → inactive (TimedOut if it was activating and pods were required);
 * too few ready → activating, unless it is inactive and nothing is asked for; enough ready → active,
 * unless it is inactive and nothing is asked for. `want` -1 keeps the last desiredScale.
 */
export function computeActiveCondition(spec: ReconcileSpec, state: PAState, want: number, readyPods: number, nowMs: number): PAState {
  const minReady = activeThreshold(spec, state.scaleTargetInitialized);
  let next: PAState = {
    ...state,
    scaleTargetInitialized: state.scaleTargetInitialized || readyPods >= minReady,
    desiredScale: want >= 0 ? want : state.desiredScale,
  };
  const asked = want > 0 || state.condition !== 'inactive';
  if (want === 0 || minReady === 0) {
    next = mark(next, 'inactive', state.condition === 'activating' && minReady > 0 ? 'TimedOut' : 'NoTraffic', nowMs);
  } else if (readyPods < minReady) {
    next = asked ? mark(next, 'activating', 'Queued', nowMs) : mark(next, 'inactive', 'NoTraffic', nowMs);
  } else if (asked) {
    next = mark(next, 'active', 'Active', nowMs);
  }
  return next;
}

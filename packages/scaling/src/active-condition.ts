// The PA's Active condition (Knative's computeActiveCondition, kpa.md d.10) and the scale bounds.
import type { ReconcileSpec } from './types.js';
import type { ActiveCondition, ActiveReason, PAState, ScaleMode } from './reconcile-types.js';

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

interface Condition {
  condition: ActiveCondition;
  reason: ActiveReason;
}

const INACTIVE_NO_TRAFFIC: Condition = { condition: 'inactive', reason: 'NoTraffic' };
const INACTIVE_TIMED_OUT: Condition = { condition: 'inactive', reason: 'TimedOut' };
const ACTIVATING: Condition = { condition: 'activating', reason: 'Queued' };
const ACTIVE: Condition = { condition: 'active', reason: 'Active' };

/** Knative's table: which condition the scale asked for and the ready pods give (undefined: unchanged). */
function nextCondition(state: PAState, want: number, readyPods: number, minReady: number): Condition | undefined {
  const asked = want > 0 || state.condition !== 'inactive';
  if (want === 0 || minReady === 0) {
    return state.condition === 'activating' && minReady > 0 ? INACTIVE_TIMED_OUT : INACTIVE_NO_TRAFFIC;
  }
  if (readyPods < minReady) return asked ? ACTIVATING : INACTIVE_NO_TRAFFIC;
  return asked ? ACTIVE : undefined;
}

/**
 * New Active condition from the scale asked for (`want`, -1 unknown) and the ready pods:
 * want 0 (or nothing required) → inactive (TimedOut if it was activating and pods were required);
 * too few ready → activating, unless it is inactive and nothing is asked for; enough ready → active,
 * unless it is inactive and nothing is asked for. `want` -1 keeps the last desiredScale. A new
 * condition or reason restarts `sinceMs`. Returns `state` itself when nothing changed.
 */
export function computeActiveCondition(spec: ReconcileSpec, state: PAState, want: number, readyPods: number, nowMs: number, mode: ScaleMode = state.mode): PAState {
  const minReady = activeThreshold(spec, state.scaleTargetInitialized);
  const initialized = state.scaleTargetInitialized || readyPods >= minReady;
  const desiredScale = want >= 0 ? want : state.desiredScale;
  const c = nextCondition(state, want, readyPods, minReady);
  const transition = c !== undefined && (c.condition !== state.condition || c.reason !== state.reason);
  if (!transition && initialized === state.scaleTargetInitialized && desiredScale === state.desiredScale && mode === state.mode) return state;
  return {
    condition: transition ? c.condition : state.condition,
    reason: transition ? c.reason : state.reason,
    sinceMs: transition ? nowMs : state.sinceMs,
    scaleTargetInitialized: initialized,
    desiredScale,
    mode,
  };
}

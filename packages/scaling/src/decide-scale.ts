// The per-revision reconcile step (Knative's KPA reconciler, kpa.md d.10 and g), pure: from the
// decider's status, the PA state and the observed pods to the replicas to apply, the new PA state,
// the activator mode and when to look again.
import type { ReconcileSpec, RevisionScalingSpec } from './types.js';
import type { PAState, ReconcileInput, ReconcileResult, ScaleMode } from './reconcile-types.js';
import { cappedInitialScale, computeActiveCondition, scaleBounds } from './active-condition.js';
import { computeNumActivators } from './decider-math.js';
import { handleScaleToZero, type ScaleToZeroResult } from './scale-to-zero.js';

/** Knative's applyBounds: below min → min, above a non-zero max → max. */
export function applyBounds(min: number, max: number, x: number): number {
  if (x < min) return min;
  if (max !== 0 && x > max) return max;
  return x;
}

/**
 * Knative's scaler.scale(): bounds (with initial scale holding min up until first reached), then
 * the scale-to-zero gate. An unknown decider scale (-1) is left alone unless the PA is activating.
 * Unlike Knative, an initial scale above max-scale is capped at max-scale (Knative's applyBounds
 * returns the raised min before checking max, so it would exceed max-scale).
 * E.g. min 2, max 10, initial 3 not reached yet, decider 1 → 3 (apply).
 */
function scaleStep(spec: ReconcileSpec, state: PAState, input: ReconcileInput): ScaleToZeroResult {
  const desired = input.decider.desiredScale;
  if (desired < 0 && state.condition !== 'activating') {
    return { desired, apply: false, requeueAfterMs: undefined, probeActivator: false };
  }
  let { min } = scaleBounds(spec);
  if (spec.initialScale > 1 && !state.scaleTargetInitialized && spec.reachable) min = Math.max(cappedInitialScale(spec), min);
  return handleScaleToZero(spec, state, input, applyBounds(min, spec.maxScale, desired));
}

/**
 * Activator in the path (Proxy) when scaling to / at zero, when the excess burst capacity is
 * negative, or when the scale is unknown after having been scaled to zero; otherwise Serve.
 */
export function computeMode(want: number, excessBurstCapacity: number, previous: PAState): ScaleMode {
  if (want === 0 || excessBurstCapacity < 0 || (want === -1 && previous.condition === 'inactive')) return 'proxy';
  return 'serve';
}

/**
 * One reconcile of one revision. Keep `result.state` and pass it back next time; set the scale
 * target to `result.scaleTo` when defined; publish `mode` and `numActivators`; reconcile again after
 * `requeueAfterMs` (and on every new decider status).
 */
export function decideScale(spec: Pick<RevisionScalingSpec, 'scaler' | 'reconcile'>, state: PAState, input: ReconcileInput): ReconcileResult {
  const step = scaleStep(spec.reconcile, state, input);
  const want = step.desired;
  const current = input.currentReplicas ?? 1;
  const scaleTo = step.apply && want >= 0 && want !== current ? want : undefined;
  const mode = computeMode(want, input.decider.excessBurstCapacity, state);
  const next = computeActiveCondition(spec.reconcile, state, want, input.readyPods, input.nowMs, mode);
  return {
    want,
    apply: step.apply,
    scaleTo,
    mode,
    numActivators: computeNumActivators(input.readyPods, spec.scaler),
    state: next,
    requeueAfterMs: step.requeueAfterMs,
    probeActivator: step.probeActivator,
  };
}

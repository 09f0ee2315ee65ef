// Knative's handleScaleToZero (kpa.md d.10): when a desired 0 may really remove the last pod.
import type { ReconcileSpec } from './types.js';
import type { PAState, ReconcileInput } from './reconcile-types.js';

/** Knative re-enqueues an Active PA whose SKS is already in Proxy mode after 3 s. */
export const PROXY_REQUEUE_MS = 3000;

export interface ScaleToZeroResult {
  desired: number;
  apply: boolean;
  requeueAfterMs: number | undefined;
  probeActivator: boolean;
}

function result(desired: number, apply: boolean, requeueAfterMs?: number, probeActivator = false): ScaleToZeroResult {
  return { desired, apply, requeueAfterMs, probeActivator };
}

/**
 * Active: keep 1 pod until the PA has been active a whole stable window, then answer (0, don't
 * apply) so the PA goes Inactive first. E.g. window 60 s, active for 45 s → (1, apply), requeue 15 s.
 */
function whileActive(spec: ReconcileSpec, state: PAState, nowMs: number): ScaleToZeroResult {
  const activeForMs = nowMs - state.sinceMs;
  if (activeForMs >= spec.stableWindowMs) return result(0, false, state.mode === 'proxy' ? PROXY_REQUEUE_MS : undefined);
  return result(1, true, spec.stableWindowMs - activeForMs);
}

/**
 * Inactive and the activator in the path: remove the last pod once inactive for max(grace,
 * retention), or once the retention is over and the activator has been in the path for the grace
 * period. E.g. grace 30 s, retention 0, inactive 10 s, in Proxy for 35 s → (0, apply).
 */
function whileInactive(spec: ReconcileSpec, state: PAState, input: ReconcileInput): ScaleToZeroResult {
  const retentionMs = spec.reachable ? spec.scaleToZeroPodRetentionPeriodMs : 0;
  const inactiveForMs = input.nowMs - state.sinceMs;
  if (inactiveForMs >= Math.max(spec.scaleToZeroGracePeriodMs, retentionMs)) return result(0, true);
  if (retentionMs > 0 && inactiveForMs < retentionMs) return result(0, false, retentionMs - inactiveForMs);
  const proxyForMs = input.proxySinceMs === undefined ? 0 : input.nowMs - input.proxySinceMs;
  const remainingMs = spec.scaleToZeroGracePeriodMs - proxyForMs;
  if (remainingMs <= 0) return result(0, true);
  return result(0, false, remainingMs);
}

/** Gates a desired 0 (any other value passes through, applied). */
export function handleScaleToZero(spec: ReconcileSpec, state: PAState, input: ReconcileInput, desired: number): ScaleToZeroResult {
  if (desired !== 0) return result(desired, true);
  if (!spec.enableScaleToZero) return result(1, true);
  switch (state.condition) {
    case 'activating':
      // Stuck activating for longer than the activation timeout (strictly): give up, scale to 0.
      if (input.nowMs - state.sinceMs > spec.activationTimeoutMs) return result(0, true);
      return result(-1, false, spec.activationTimeoutMs);
    case 'active':
      return whileActive(spec, state, input.nowMs);
    case 'inactive':
      if (spec.targetBurstCapacity === -1 || input.activatorInPath) return whileInactive(spec, state, input);
      return result(0, false, undefined, true);
  }
}

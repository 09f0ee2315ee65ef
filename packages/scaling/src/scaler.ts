// The KPA decider (kpa.md d.2–d.9): one Scale() tick turns the windowed averages and the ready
// pod count into a desired pod count, with rate limits, panic mode, activation scale and the
// scale-down delay. Pure: the time is the input's nowMs.
import type { ScaleDecision, ScaleInput, Scaler, ScalerSpec } from './types.js';
import { computeExcessBurstCapacity, computeNumActivators } from './decider-math.js';
import { toInt32 } from './math.js';
import { MaxTimeWindow } from './max-time-window.js';

interface PanicState {
  /** Last tick that was over the panic threshold; undefined = not panicking. */
  panicSinceMs: number | undefined;
  /** Running maximum of the desired count while panicking (never scale down in panic). */
  maxPanicPods: number;
}

/** The decider's state, for logs and tests. */
export interface ScalerState {
  panicking: boolean;
  panicTimeMs: number | undefined;
  maxPanicPods: number;
}

/** The desired counts of one tick, before panic and the delay window. */
interface Desired {
  stable: number;
  panic: number;
  rawPanic: number;
}

function makeDelayWindow(spec: ScalerSpec): MaxTimeWindow | undefined {
  return spec.scaleDownDelayMs > 0 ? new MaxTimeWindow(spec.scaleDownDelayMs) : undefined;
}

/** Knative's invalidSR: never acted on. desiredPodCount -1 ("unknown") so it can't read as zero. */
function invalidDecision(spec: ScalerSpec, readyPods: number | undefined): ScaleDecision {
  return {
    valid: false,
    desiredPodCount: -1,
    excessBurstCapacity: -1,
    numActivators: computeNumActivators(readyPods ?? 0, spec),
    panicking: false,
  };
}

/**
 * Rate-limited desired counts (d.3, d.4, d.6). E.g. ready 2, rates up 1000 / down 2, target 10,
 * stable 55 → ceil(5.5) = 6, kept within [floor(2 / 2) = 1, ceil(1000 × 2) = 2000] → 6.
 */
function desiredCounts(spec: ScalerSpec, ready: number, stableAvg: number, panicAvg: number): Desired {
  const maxScaleUp = Math.ceil(spec.maxScaleUpRate * ready);
  const maxScaleDown = spec.reachable ? Math.floor(ready / spec.maxScaleDownRate) : 0;
  const dspc = Math.ceil(stableAvg / spec.targetValue);
  const dppc = Math.ceil(panicAvg / spec.targetValue);
  let stable = toInt32(Math.min(Math.max(dspc, maxScaleDown), maxScaleUp));
  let panic = toInt32(Math.min(Math.max(dppc, maxScaleDown), maxScaleUp));
  if (spec.activationScale > 1) {
    // A revision that is to run at all runs at least activationScale pods; a raw 0 stays 0.
    if (dspc > 0 && spec.activationScale > stable) stable = spec.activationScale;
    if (dppc > 0 && spec.activationScale > panic) panic = spec.activationScale;
  }
  return { stable, panic, rawPanic: dppc };
}

/**
 * Panic bookkeeping (d.3, d.5): enter or extend panic when the RAW panic count is at least
 * panicThreshold × ready; leave it only when a whole stable window has passed (strictly) since the
 * last tick over the threshold. In panic, the result is the running max of max(stable, panic).
 */
function applyPanic(state: PanicState, spec: ScalerSpec, nowMs: number, ready: number, d: Desired): number {
  const overThreshold = d.rawPanic / ready >= spec.panicThreshold;
  if (overThreshold) {
    state.panicSinceMs = nowMs;
  } else if (state.panicSinceMs !== undefined && state.panicSinceMs + spec.stableWindowMs < nowMs) {
    state.panicSinceMs = undefined;
    state.maxPanicPods = 0;
  }
  let desired = d.stable;
  if (state.panicSinceMs !== undefined) {
    desired = Math.max(desired, d.panic);
    if (desired > state.maxPanicPods) state.maxPanicPods = desired;
    desired = state.maxPanicPods;
  }
  return desired;
}

function isUsable(x: number | undefined): x is number {
  return x !== undefined && Number.isFinite(x);
}

/**
 * Knative's autoscaler for one revision. `init.readyPods > 1` starts in panic (so a restarted
 * autoscaler does not scale a busy revision down before it has a full stable window of data).
 * `update(spec)` swaps the spec; a changed scale-down delay starts a new (empty) delay window.
 */
export function createScaler(spec: ScalerSpec, init: { nowMs: number; readyPods: number }): Scaler & { state(): ScalerState } {
  let current = spec;
  let delayWindow = makeDelayWindow(spec);
  const panic: PanicState = {
    panicSinceMs: init.readyPods > 1 ? init.nowMs : undefined,
    maxPanicPods: toInt32(Math.max(0, init.readyPods)),
  };

  function scale(input: ScaleInput): ScaleDecision {
    const s = current;
    const { readyPods, stableAvg, panicAvg, nowMs } = input;
    if (!isUsable(readyPods) || !isUsable(stableAvg) || !isUsable(panicAvg)) return invalidDecision(s, readyPods);
    const ready = Math.max(1, readyPods);
    let desired = applyPanic(panic, s, nowMs, ready, desiredCounts(s, ready, stableAvg, panicAvg));
    if (s.reachable && delayWindow !== undefined) {
      delayWindow.record(nowMs, desired);
      desired = delayWindow.current();
    }
    return {
      valid: true,
      desiredPodCount: desired,
      excessBurstCapacity: computeExcessBurstCapacity(readyPods, s, panicAvg),
      numActivators: computeNumActivators(readyPods, s),
      panicking: panic.panicSinceMs !== undefined,
    };
  }

  function update(next: ScalerSpec): void {
    if (next.scaleDownDelayMs !== current.scaleDownDelayMs) delayWindow = makeDelayWindow(next);
    current = next;
  }

  function state(): ScalerState {
    return { panicking: panic.panicSinceMs !== undefined, panicTimeMs: panic.panicSinceMs, maxPanicPods: panic.maxPanicPods };
  }

  return { scale, update, state };
}

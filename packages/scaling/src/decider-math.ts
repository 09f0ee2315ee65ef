// The decider's small formulas (kpa.md d.2, d.8, d.9) and its published status.
import type { ScaleDecision, ScalerSpec } from './types.js';
import { toInt32 } from './math.js';

/** Knative never routes a revision through fewer than 2 activators. */
export const MIN_ACTIVATORS = 2;

type CapacitySpec = Pick<ScalerSpec, 'targetBurstCapacity' | 'totalValue' | 'activatorCapacity'>;

/**
 * Activators to put in the path (d.9): enough to cover the revision's capacity plus the burst
 * capacity, at least 2. E.g. 3 ready pods × 100 + TBC 211 = 511 over activator capacity 100 → 6.
 * TBC 0 → always 2; TBC -1 adds nothing (3 × 100 / 100 → 3).
 */
export function computeNumActivators(readyPods: number, spec: CapacitySpec): number {
  if (spec.targetBurstCapacity === 0) return MIN_ACTIVATORS;
  let capacityToCover = Math.max(0, readyPods) * spec.totalValue;
  if (spec.targetBurstCapacity > 0) capacityToCover += spec.targetBurstCapacity;
  return toInt32(Math.max(MIN_ACTIVATORS, Math.ceil(capacityToCover / spec.activatorCapacity)));
}

/**
 * Excess burst capacity (d.8): spare capacity beyond the burst reserve, from the RAW ready count
 * and the PANIC average. E.g. 2 ready × 100 - TBC 211 - panic 30 → floor(-41) = -41 (activator in
 * path); TBC 0 → 0; TBC -1 → -1.
 */
export function computeExcessBurstCapacity(readyPods: number, spec: Pick<ScalerSpec, 'targetBurstCapacity' | 'totalValue'>, panicAvg: number): number {
  if (spec.targetBurstCapacity === 0) return 0;
  if (spec.targetBurstCapacity < 0) return -1;
  return toInt32(Math.floor(readyPods * spec.totalValue - spec.targetBurstCapacity - panicAvg));
}

/**
 * The EBC a new decider starts with (d.2), before any tick: TBC itself when it is -1 or 0, else
 * `trunc(initialScale × totalValue - TBC)`. Defaults: 1 × 100 - 211 = -111 → activator in path.
 */
export function initialExcessBurstCapacity(spec: Pick<ScalerSpec, 'targetBurstCapacity' | 'totalValue'>, initialScale: number): number {
  const tbc = spec.targetBurstCapacity;
  if (tbc === -1 || tbc === 0) return tbc;
  return toInt32(initialScale * spec.totalValue - tbc);
}

/** What the decider last published (Knative's Decider.Status): the input of `decideScale`. */
export interface DeciderStatus {
  /** -1: unknown (no valid tick yet). */
  desiredScale: number;
  excessBurstCapacity: number;
}

export function initialDeciderStatus(spec: Pick<ScalerSpec, 'targetBurstCapacity' | 'totalValue'>, initialScale: number): DeciderStatus {
  return { desiredScale: -1, excessBurstCapacity: initialExcessBurstCapacity(spec, initialScale) };
}

/**
 * Folds one tick's decision into the published status like Knative's multiscaler: an invalid
 * decision changes nothing; `changed` (reconcile now) when the desired count changed or the EBC
 * changed sign (negative vs non-negative). The EBC is always updated.
 */
export function applyDecision(status: DeciderStatus, decision: ScaleDecision): { status: DeciderStatus; changed: boolean } {
  if (!decision.valid) return { status, changed: false };
  const changed =
    status.desiredScale !== decision.desiredPodCount ||
    status.excessBurstCapacity < 0 !== decision.excessBurstCapacity < 0;
  return { status: { desiredScale: decision.desiredPodCount, excessBurstCapacity: decision.excessBurstCapacity }, changed };
}

/**
 * In-place variant of applyDecision for a caller that keeps one status object per revision (no
 * allocation per tick, so nothing is promoted to the old heap): returns `changed`.
 */
export function updateDeciderStatus(status: DeciderStatus, decision: ScaleDecision): boolean {
  if (!decision.valid) return false;
  const changed =
    status.desiredScale !== decision.desiredPodCount ||
    status.excessBurstCapacity < 0 !== decision.excessBurstCapacity < 0;
  status.desiredScale = decision.desiredPodCount;
  status.excessBurstCapacity = decision.excessBurstCapacity;
  return changed;
}

// Inputs, state and output of the per-revision reconcile step (`decideScale`, kpa.md d.10, g).
import type { DeciderStatus } from './decider-math.js';

/** The PA's Active condition: Unknown (activating), True (active), False (inactive). */
export type ActiveCondition = 'activating' | 'active' | 'inactive';

/** Why the condition is what it is (Knative's reasons; a new reason restarts `sinceMs`). */
export type ActiveReason = 'Initializing' | 'Queued' | 'Active' | 'NoTraffic' | 'TimedOut';

/** Whether the activator is in the request path (Knative's SKS mode). */
export type ScaleMode = 'proxy' | 'serve';

/** What the caller keeps per revision between reconciles (Knative's PA status + SKS mode). */
export interface PAState {
  condition: ActiveCondition;
  reason: ActiveReason;
  /** When the condition (or its reason) last changed: Knative's lastTransitionTime. */
  sinceMs: number;
  /** The revision once reached its initial/min scale: initial-scale no longer holds it up. */
  scaleTargetInitialized: boolean;
  /** Last non-negative scale asked for (PA status.desiredScale), undefined before the first. */
  desiredScale: number | undefined;
  /** The mode published by the previous reconcile. */
  mode: ScaleMode;
}

export interface ReconcileInput {
  nowMs: number;
  /** The decider's last published status (desiredScale -1 = unknown yet). */
  decider: DeciderStatus;
  /** Ready pods of the revision now. */
  readyPods: number;
  /** The scale target's replicas now (undefined reads as 1, like Knative's nil replicas). */
  currentReplicas: number | undefined;
  /**
   * The activator verifiably answers for the revision (Knative probes the revision's service and
   * expects the activator). Ignored when target burst capacity is -1 (always in the path).
   */
  activatorInPath: boolean;
  /** Since when the activator has been in the path (Proxy mode in effect); undefined = it is not. */
  proxySinceMs: number | undefined;
}

export interface ReconcileResult {
  /** The scale the reconciler settles on (-1: unknown, nothing to do). */
  want: number;
  /** Whether `want` is to be applied to the scale target at all. */
  apply: boolean;
  /** Replicas to set now: `want` when applied and different from the current replicas. */
  scaleTo: number | undefined;
  mode: ScaleMode;
  numActivators: number;
  /** The new PA state: keep it and pass it back next time. */
  state: PAState;
  /** Reconcile again after this long even without a new decision. */
  requeueAfterMs: number | undefined;
  /** The activator is not known to be in the path yet: probe it (Knative: every 1 s, ≤ 45 s), then reconcile. */
  probeActivator: boolean;
}

/** Knative marks a new PA's Active condition Unknown at creation. */
export function initialPAState(nowMs: number): PAState {
  return { condition: 'activating', reason: 'Initializing', sinceMs: nowMs, scaleTargetInitialized: false, desiredScale: undefined, mode: 'serve' };
}

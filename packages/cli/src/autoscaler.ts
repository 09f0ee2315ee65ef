// One revision's autoscaler, assembled from the REAL @kpa-ts/scaling code exactly as the autoscaler
// service uses it: stats → createRevisionMetrics → createScaler → applyDecision → decideScale.
// This file holds no scaling math of its own; it only keeps the state between calls.
import {
  applyDecision,
  createRevisionMetrics,
  createScaler,
  decideScale,
  initialDeciderStatus,
  type DeciderStatus,
  type PAState,
  type PodStat,
  type ReconcileResult,
  type RevisionScalingSpec,
  type ScaleMode,
} from '@kpa-ts/scaling';

/** What the simulator needs to know after a tick or a reconcile. */
export interface Decision {
  /** The decider's published desired pod count (-1 = unknown, no valid tick yet). */
  want: number;
  /** Replicas to set on the scale target now; undefined = leave them. */
  replicas: number | undefined;
  panicking: boolean;
  excessBurstCapacity: number;
  numActivators: number;
  mode: ScaleMode;
  stableAvg: number | undefined;
  panicAvg: number | undefined;
}

export interface ObservedPods {
  readyPods: number;
  /** The scale target's replica count. */
  replicas: number;
}

export interface RevisionAutoscaler {
  record(stats: PodStat[]): void;
  /** An autoscaler tick (or a poke): averages → decider → published status → reconcile. */
  tick(nowMs: number, pods: ObservedPods): Decision;
  /** A reconcile alone (pods changed, or a requeue came due), with the current decider status. */
  reconcile(nowMs: number, pods: ObservedPods): Decision;
  /** A requeue asked for by an earlier reconcile is due. */
  reconcileDue(nowMs: number): boolean;
  /** The decider's published desired count: a poke scales at once only when it is 0 (Knative). */
  lastWant(): number;
  initialDecision(): Decision;
}

/** Long enough ago that no grace period, retention or stable window is still running. */
const LONG_AGO_MS = 24 * 3600 * 1000;

/**
 * The simulation starts from a settled revision, not a brand-new one: with 0 pods it has been idle
 * at zero (Inactive, activator in the path); with N pods it has been Active with N pods for long.
 */
function settledState(spec: RevisionScalingSpec, nowMs: number, pods: number): { pa: PAState; status: DeciderStatus } {
  const status = { ...initialDeciderStatus(spec.scaler, pods), desiredScale: pods };
  const pa: PAState =
    pods === 0
      ? { condition: 'inactive', reason: 'NoTraffic', sinceMs: nowMs - LONG_AGO_MS, scaleTargetInitialized: true, desiredScale: 0, mode: 'proxy' }
      : { condition: 'active', reason: 'Active', sinceMs: nowMs - LONG_AGO_MS, scaleTargetInitialized: true, desiredScale: pods, mode: status.excessBurstCapacity < 0 ? 'proxy' : 'serve' };
  return { pa, status };
}

export function createRevisionAutoscaler(spec: RevisionScalingSpec, init: { nowMs: number; readyPods: number }): RevisionAutoscaler {
  const metrics = createRevisionMetrics(spec.windows, { emptyWindowIsZero: spec.scaler.targetBurstCapacity === -1 });
  // A running autoscaler, not a restarted one: a restart with > 1 ready pods would start in panic.
  const scaler = createScaler(spec.scaler, { nowMs: init.nowMs, readyPods: Math.min(1, init.readyPods) });
  let { pa, status } = settledState(spec, init.nowMs, init.readyPods);
  let proxySinceMs: number | undefined = pa.mode === 'proxy' ? init.nowMs - LONG_AGO_MS : undefined;
  let requeueAtMs: number | undefined;
  let averages: { stableAvg: number | undefined; panicAvg: number | undefined } = { stableAvg: undefined, panicAvg: undefined };

  const toDecision = (r: ReconcileResult | undefined): Decision => ({
    want: status.desiredScale,
    replicas: r?.scaleTo,
    panicking: scaler.state().panicking,
    excessBurstCapacity: status.excessBurstCapacity,
    numActivators: r?.numActivators ?? 0,
    mode: pa.mode,
    ...averages,
  });

  function schedule(nowMs: number, r: ReconcileResult): void {
    if (requeueAtMs !== undefined && requeueAtMs <= nowMs) requeueAtMs = undefined;
    // The activator probe (Knative: every 1 s) succeeds once the activator is in the path.
    const afterMs = r.probeActivator ? Math.min(1000, r.requeueAfterMs ?? 1000) : r.requeueAfterMs;
    if (afterMs !== undefined) requeueAtMs = Math.min(requeueAtMs ?? Infinity, nowMs + afterMs);
  }

  function reconcile(nowMs: number, pods: ObservedPods): Decision {
    const r = decideScale(spec, pa, {
      nowMs,
      decider: status,
      readyPods: pods.readyPods,
      currentReplicas: pods.replicas,
      activatorInPath: pa.mode === 'proxy',
      proxySinceMs,
    });
    if (r.mode === 'proxy' && pa.mode !== 'proxy') proxySinceMs = nowMs;
    if (r.mode !== 'proxy') proxySinceMs = undefined;
    pa = r.state;
    schedule(nowMs, r);
    return toDecision(r);
  }

  return {
    record(stats) {
      for (const s of stats) metrics.record(s);
    },
    tick(nowMs, pods) {
      averages = metrics.averages(nowMs, spec.scaler.metric, pods.readyPods);
      const decision = scaler.scale({ nowMs, readyPods: pods.readyPods, ...averages });
      status = applyDecision(status, decision).status;
      return reconcile(nowMs, pods);
    },
    reconcile,
    reconcileDue: (nowMs) => requeueAtMs !== undefined && nowMs >= requeueAtMs,
    lastWant: () => status.desiredScale,
    initialDecision: () => toDecision(undefined),
  };
}

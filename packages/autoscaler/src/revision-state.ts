// One revision's scaling state in the service and one tick of it, without I/O: the caller reads
// the pods from the backend, calls `step`, then applies `scaleTo` and publishes `publish`.
import type { DecisionRecord } from '@kpa-ts/bus';
import type { Annotations } from '@kpa-ts/config';
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
  type RevisionMetrics,
  type RevisionScalingSpec,
  type ScaleDecision,
  type Scaler,
  type ScalerState,
  type WindowAverages,
} from '@kpa-ts/scaling';
import { adoptPAState, lowerBound, reactivate, type AdoptionRule } from './adoption.js';
import type { ManagedRevision } from './ports.js';

/** What the caller observed before the tick. */
export interface TickObservation {
  nowMs: number;
  readyPods: number;
  /** The replicas the revision is scaled to (undefined reads as 1, like Knative's nil replicas). */
  currentReplicas: number | undefined;
  /**
   * Read on the first tick only (`needsAdoption`): the latest decision Redis keeps for the
   * revision, null when it has none (a new revision). Omitted reads as null.
   */
  persisted?: DecisionRecord | null;
}

export interface TickOutcome {
  averages: WindowAverages;
  /** The decider's answer; `valid: false` (no data) changes nothing. */
  decision: ScaleDecision;
  reconcile: ReconcileResult;
  /** Replicas to set now (undefined: leave them). */
  scaleTo: number | undefined;
  /** The decision to publish (undefined: nothing changed since the last one). */
  publish: DecisionRecord | undefined;
  panicking: boolean;
  /** Set on the tick that adopted the revision: the first-sight rule that applied. */
  adopted: AdoptionRule | undefined;
  /** The lower bound was raised above the replicas since the last tick: the PA went Activating. */
  reactivated: boolean;
}

/** Whether two decisions differ in anything an activator acts on (the EBC only by its sign). */
function differs(a: DecisionRecord, b: DecisionRecord): boolean {
  return (
    a.desired !== b.desired ||
    a.ready !== b.ready ||
    a.mode !== b.mode ||
    a.numActivators !== b.numActivators ||
    a.podCapacity !== b.podCapacity ||
    a.ebc < 0 !== b.ebc < 0
  );
}

export class RevisionState {
  readonly namespace: string;
  readonly revision: string;
  readonly shard: number;
  readonly metrics: RevisionMetrics;
  #managed: ManagedRevision;
  #annotations: Annotations;
  #spec: RevisionScalingSpec;
  #scaler: (Scaler & { state(): ScalerState }) | undefined;
  #decider: DeciderStatus;
  #pa: PAState | undefined;
  #proxySinceMs: number | undefined;
  #lastPublished: DecisionRecord | undefined;
  #lastPublishedAtMs = Number.NEGATIVE_INFINITY;
  #last: TickOutcome | undefined;
  /** A new revision's initial-scale, set until the scale target reached it (see `adoption.ts`). */
  #createAt: number | undefined;
  /** update() raised the lower bound: the next tick checks it against the replicas. */
  #boundRaised = false;

  constructor(managed: ManagedRevision, shard: number, spec: RevisionScalingSpec, annotations: Annotations) {
    this.namespace = managed.namespace;
    this.revision = managed.revision;
    this.shard = shard;
    this.#managed = managed;
    this.#annotations = annotations;
    this.#spec = spec;
    this.metrics = createRevisionMetrics(spec.windows, { emptyWindowIsZero: spec.scaler.targetBurstCapacity === -1 });
    this.#decider = initialDeciderStatus(spec.scaler, spec.reconcile.initialScale);
  }

  get managed(): ManagedRevision {
    return this.#managed;
  }

  get annotations(): Annotations {
    return this.#annotations;
  }

  get spec(): RevisionScalingSpec {
    return this.#spec;
  }

  /** The decider's last valid desired scale (-1 before the first valid tick). */
  get desiredScale(): number {
    return this.#decider.desiredScale;
  }

  get paState(): PAState | undefined {
    return this.#pa;
  }

  /** Not ticked yet: the next tick needs the persisted latest decision (`TickObservation.persisted`). */
  get needsAdoption(): boolean {
    return this.#pa === undefined;
  }

  get lastOutcome(): TickOutcome | undefined {
    return this.#last;
  }

  get lastPublished(): DecisionRecord | undefined {
    return this.#lastPublished;
  }

  record(stat: PodStat): void {
    this.metrics.record(stat);
  }

  /** A request waiting at `activator` (a poke) at `tsMs`: see RevisionMetrics.recordPoke. */
  recordPoke(activator: string, tsMs: number): void {
    this.metrics.recordPoke(activator, tsMs);
  }

  /** New spec (ConfigMap or annotations changed): the scaler and the windows follow at once. */
  update(managed: ManagedRevision, spec: RevisionScalingSpec, annotations: Annotations): void {
    if (lowerBound(spec.reconcile) > lowerBound(this.#spec.reconcile)) this.#boundRaised = true;
    this.#managed = managed;
    this.#annotations = annotations;
    this.#spec = spec;
    this.#scaler?.update(spec.scaler);
    this.metrics.resize(spec.windows);
    this.metrics.setOptions({ emptyWindowIsZero: spec.scaler.targetBurstCapacity === -1 });
  }

  /**
   * One tick: windowed averages → decider (created on the first tick, so a replica taking over a
   * busy revision starts in panic) → PA state (adopted on the first tick, Activating when the lower
   * bound was raised above the replicas) → decider status → reconcile (bounds, scale-to-zero, mode)
   * → a new revision's initial scale.
   */
  step(obs: TickObservation): TickOutcome {
    const { nowMs, readyPods, currentReplicas } = obs;
    const spec = this.#spec;
    const averages = this.metrics.averages(nowMs, spec.scaler.metric, readyPods);
    this.#scaler ??= createScaler(spec.scaler, { nowMs, readyPods });
    const adopted = this.#adopt(obs);
    const reactivated = this.#checkBoundRaised(nowMs, currentReplicas);
    const pa = this.#pa as PAState;
    const decision = this.#scaler.scale({ nowMs, readyPods, stableAvg: averages.stableAvg, panicAvg: averages.panicAvg });
    this.#decider = applyDecision(this.#decider, decision).status;
    const proxySinceMs = this.#proxySinceMs;
    const decided = decideScale(spec, pa, { nowMs, decider: this.#decider, readyPods, currentReplicas, activatorInPath: proxySinceMs !== undefined, proxySinceMs });
    const reconcile = this.#withInitialScale(decided, currentReplicas);
    this.#pa = reconcile.state;
    this.#proxySinceMs = reconcile.mode === 'proxy' ? (proxySinceMs ?? nowMs) : undefined;
    const outcome: TickOutcome = {
      averages,
      decision,
      reconcile,
      scaleTo: reconcile.scaleTo,
      publish: this.#toPublish(nowMs, readyPods, reconcile),
      panicking: this.#scaler.state().panicking,
      adopted,
      reactivated,
    };
    this.#last = outcome;
    return outcome;
  }

  /** First tick: the PA state from the persisted decision and what runs (`adoptPAState`). */
  #adopt(obs: TickObservation): AdoptionRule | undefined {
    if (this.#pa !== undefined) return undefined;
    const adoption = adoptPAState(this.#spec.reconcile, { ...obs, persisted: obs.persisted ?? null });
    this.#pa = adoption.state;
    this.#createAt = adoption.createAt;
    this.#boundRaised = false; // adoption compared the bound with the replicas already
    return adoption.rule;
  }

  /** A lower bound raised above the replicas (annotation or ConfigMap edit) → Activating. */
  #checkBoundRaised(nowMs: number, currentReplicas: number | undefined): boolean {
    const pa = this.#pa;
    if (!this.#boundRaised || pa === undefined) return false;
    this.#boundRaised = false;
    if (pa.condition === 'activating' || lowerBound(this.#spec.reconcile) <= (currentReplicas ?? 1)) return false;
    this.#pa = reactivate(pa, nowMs);
    return true;
  }

  /**
   * A new revision is scaled to its initial scale while it activates and nothing else was applied
   * (Knative creates the Deployment at initial-scale; `decideScale` alone holds initial scales > 1
   * only). Done once the replicas reached it, something was applied, or the PA left Activating.
   * E.g. initial-scale 1, 0 replicas, decider unknown → (-1, don't apply) becomes (1, apply).
   */
  #withInitialScale(r: ReconcileResult, currentReplicas: number | undefined): ReconcileResult {
    const target = this.#createAt;
    if (target === undefined) return r;
    if ((currentReplicas ?? 1) >= target || (r.apply && r.want >= 0) || r.state.condition !== 'activating') {
      this.#createAt = undefined;
      return r;
    }
    return { ...r, want: target, apply: true, scaleTo: target };
  }

  /**
   * The decision to publish: only once the decider knows something (a replica that just took a
   * revision over leaves the previous owner's decision in place until then), and only when it
   * changed. desired = the reconciled scale, or the decider's while the reconciler waits (-1).
   */
  #toPublish(nowMs: number, readyPods: number, r: ReconcileResult): DecisionRecord | undefined {
    if (this.#decider.desiredScale < 0) return undefined;
    const record: DecisionRecord = {
      ns: this.namespace,
      rev: this.revision,
      ts: nowMs,
      desired: r.want >= 0 ? r.want : this.#decider.desiredScale,
      ready: readyPods,
      ebc: this.#decider.excessBurstCapacity,
      mode: r.mode,
      numActivators: r.numActivators,
      podCapacity: this.#managed.containerConcurrency,
    };
    if (this.#lastPublished !== undefined && !differs(record, this.#lastPublished)) return undefined;
    return record;
  }

  /** The caller published `d` (keeps it to compare and to refresh it). */
  published(d: DecisionRecord, nowMs: number): void {
    this.#lastPublished = d;
    this.#lastPublishedAtMs = nowMs;
  }

  /** The last decision again (new ts) when it was published more than `everyMs` ago. */
  refreshDue(nowMs: number, everyMs: number): DecisionRecord | undefined {
    const last = this.#lastPublished;
    if (last === undefined || nowMs - this.#lastPublishedAtMs < everyMs) return undefined;
    return { ...last, ts: nowMs };
  }
}

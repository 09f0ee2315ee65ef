import type { DecisionRecord } from './bus-types.js';
import type { CapacityPolicy } from './capacity.js';
import type { Clock } from './clock.js';
import { ActivatorError } from './errors.js';
import { RevisionThrottler } from './throttler.js';
import { revisionKey, type Endpoint, type RevisionInfo, type TopologyListener } from './topology.js';

export interface RevisionsOptions {
  clock: Clock;
  queueDepth: number;
  policy: CapacityPolicy;
  /** This activator's index among the activator replicas (-1 = unknown: every activator takes all pods). */
  activatorIndex: number;
  /** How many activator replicas run. */
  activatorReplicas: number;
}

export type DecisionOutcome = 'applied' | 'stale' | 'pending';

/**
 * The activator's view of the world: a throttler per KNOWN revision fed by the topology source,
 * plus the latest decision per revision (kept even before the revision is known, so it starts in
 * the right mode). Endpoints of unknown revisions are kept aside and never routed to.
 */
export class Revisions implements TopologyListener {
  readonly #opts: RevisionsOptions;
  readonly #throttlers = new Map<string, RevisionThrottler>();
  readonly #endpoints = new Map<string, Endpoint[]>();
  readonly #decisions = new Map<string, DecisionRecord>();

  constructor(opts: RevisionsOptions) {
    this.#opts = opts;
  }

  get(namespace: string, revision: string): RevisionThrottler | undefined {
    return this.#throttlers.get(revisionKey(namespace, revision));
  }

  entries(): IterableIterator<[string, RevisionThrottler]> {
    return this.#throttlers.entries();
  }

  revisionUpserted(r: RevisionInfo): void {
    const key = revisionKey(r.namespace, r.revision);
    const existing = this.#throttlers.get(key);
    if (existing) {
      existing.updateInfo(r);
      return;
    }
    const { clock, queueDepth, policy, activatorIndex, activatorReplicas } = this.#opts;
    const th = new RevisionThrottler(r, { clock, queueDepth, policy, activatorIndex, activators: activatorReplicas });
    this.#throttlers.set(key, th);
    const d = this.#decisions.get(key);
    if (d) this.#applyTo(th, d);
    th.setEndpoints(this.#endpoints.get(key) ?? []);
  }

  revisionDeleted(namespace: string, revision: string): void {
    const key = revisionKey(namespace, revision);
    const th = this.#throttlers.get(key);
    this.#throttlers.delete(key);
    this.#endpoints.delete(key);
    this.#decisions.delete(key);
    th?.close(new ActivatorError('ACT_REVISION_GONE', `revision ${key} was deleted while the request waited`));
  }

  endpointsChanged(namespace: string, revision: string, eps: Endpoint[]): void {
    const key = revisionKey(namespace, revision);
    this.#endpoints.set(key, eps);
    this.#throttlers.get(key)?.setEndpoints(eps);
  }

  /** Applies a decision unless an equal-or-newer one is already held. */
  applyDecision(d: DecisionRecord): DecisionOutcome {
    const key = revisionKey(d.ns, d.rev);
    const held = this.#decisions.get(key);
    if (held && held.ts > d.ts) return 'stale';
    this.#decisions.set(key, d);
    const th = this.#throttlers.get(key);
    if (!th) return 'pending';
    this.#applyTo(th, d);
    return 'applied';
  }

  /**
   * Knative splits a revision's pods among the activators chosen for it: A = min(numActivators,
   * replicas). An activator outside the first A (or with an unknown index) takes all pods.
   */
  #applyTo(th: RevisionThrottler, d: DecisionRecord): void {
    const { activatorIndex, activatorReplicas } = this.#opts;
    const a = Math.max(1, Math.min(d.numActivators, activatorReplicas));
    th.setSubset(activatorIndex < a ? activatorIndex : -1, a);
    th.setMode(d.mode);
  }

  /** Rejects every waiting request (shutdown). */
  closeAll(err: ActivatorError): void {
    for (const th of this.#throttlers.values()) th.close(err);
  }
}

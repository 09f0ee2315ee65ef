// Which revisions exist (from the backend), which shards this replica owns (from the leases), and
// the scaling state of the revisions in those shards. No I/O.
import { shardOf } from '@kpa-ts/bus';
import { ANNOTATION_KEYS, type Annotations, type AutoscalerConfig } from '@kpa-ts/config';
import type { Logger } from 'pino';
import { isOurClass, revisionId } from './managed-revision.js';
import { forgetRevision, type AutoscalerMetrics } from './metrics.js';
import type { ManagedRevision } from './ports.js';
import { resolveRevisionSpec } from './revision-spec.js';
import { RevisionState } from './revision-state.js';

export interface RevisionTableOptions {
  shardCount: number;
  config: AutoscalerConfig;
  logger: Logger;
  metrics: AutoscalerMetrics;
}

export class RevisionTable {
  readonly #shardCount: number;
  readonly #logger: Logger;
  readonly #metrics: AutoscalerMetrics;
  #config: AutoscalerConfig;
  /** Every revision of our class the backend reported, owned or not. */
  readonly #known = new Map<string, ManagedRevision>();
  /** Revisions of another class (logged once). */
  readonly #foreign = new Set<string>();
  /** The annotations that last validated, per revision (kept across shard moves). */
  readonly #lastGood = new Map<string, Annotations>();
  /** Scaling state of the revisions in owned shards. */
  readonly #states = new Map<string, RevisionState>();
  #owned = new Set<number>();

  constructor(o: RevisionTableOptions) {
    this.#shardCount = o.shardCount;
    this.#config = o.config;
    this.#logger = o.logger;
    this.#metrics = o.metrics;
  }

  get config(): AutoscalerConfig {
    return this.#config;
  }

  get owned(): readonly number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  get(namespace: string, revision: string): RevisionState | undefined {
    return this.#states.get(revisionId(namespace, revision));
  }

  /** Whether `state` is still the live state of its revision (not dropped or replaced). */
  isCurrent(state: RevisionState): boolean {
    return this.#states.get(revisionId(state.namespace, state.revision)) === state;
  }

  states(): RevisionState[] {
    return [...this.#states.values()];
  }

  shardOf(namespace: string, revision: string): number {
    return shardOf(namespace, revision, this.#shardCount);
  }

  /** A revision appeared or changed: kept, and scaled here when its shard is owned. */
  upsert(r: ManagedRevision): void {
    const id = revisionId(r.namespace, r.revision);
    if (!isOurClass(r)) {
      if (!this.#foreign.has(id)) this.#logger.info({ revision: id, class: r.annotations[ANNOTATION_KEYS.class] }, 'revision has another autoscaling class: not scaled here');
      this.#foreign.add(id);
      this.#known.delete(id);
      this.#drop(id);
      return;
    }
    this.#foreign.delete(id);
    this.#known.set(id, r);
    const shard = this.shardOf(r.namespace, r.revision);
    if (!this.#owned.has(shard)) return;
    const state = this.#states.get(id);
    if (state === undefined) this.#create(r, shard);
    else this.#refresh(state, r);
  }

  delete(namespace: string, revision: string): void {
    const id = revisionId(namespace, revision);
    this.#known.delete(id);
    this.#foreign.delete(id);
    this.#lastGood.delete(id);
    this.#drop(id);
  }

  /** The owned shards changed: drop the state of lost ones, start fresh on gained ones. */
  setOwned(owned: readonly number[]): void {
    this.#owned = new Set(owned);
    for (const [id, state] of this.#states) if (!this.#owned.has(state.shard)) this.#drop(id);
    for (const [id, r] of this.#known) {
      const shard = this.shardOf(r.namespace, r.revision);
      if (this.#owned.has(shard) && !this.#states.has(id)) this.#create(r, shard);
    }
    this.#metrics.ownedShards.set(this.#owned.size);
  }

  /** A new config-autoscaler: every owned revision's spec is rebuilt at once. */
  setConfig(config: AutoscalerConfig): void {
    this.#config = config;
    for (const state of this.#states.values()) this.#refresh(state, state.managed);
  }

  #resolve(r: ManagedRevision): ReturnType<typeof resolveRevisionSpec> {
    const id = revisionId(r.namespace, r.revision);
    const resolved = resolveRevisionSpec(this.#config, r, this.#lastGood.get(id));
    if (resolved.problems.length === 0) {
      this.#lastGood.set(id, resolved.annotations);
      return resolved;
    }
    this.#metrics.annotationErrors.inc();
    const kept = this.#lastGood.has(id) ? 'the last valid annotations' : 'the config-autoscaler defaults';
    for (const p of resolved.problems) {
      this.#logger.error({ revision: id, annotation: p.annotation, code: p.code }, `invalid annotation ${p.annotation}: ${p.message}; the revision keeps ${kept}`);
    }
    return resolved;
  }

  #create(r: ManagedRevision, shard: number): void {
    const { spec, annotations } = this.#resolve(r);
    this.#states.set(revisionId(r.namespace, r.revision), new RevisionState(r, shard, spec, annotations));
    this.#metrics.revisions.set(this.#states.size);
  }

  #refresh(state: RevisionState, r: ManagedRevision): void {
    const { spec, annotations } = this.#resolve(r);
    state.update(r, spec, annotations);
  }

  #drop(id: string): void {
    const state = this.#states.get(id);
    if (state === undefined) return;
    this.#states.delete(id);
    forgetRevision(this.#metrics, state.namespace, state.revision);
    this.#metrics.revisions.set(this.#states.size);
  }
}

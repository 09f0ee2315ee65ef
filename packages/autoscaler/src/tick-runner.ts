// The I/O around a revision's tick: read the pods from the backend (and, the first time, the
// persisted latest decision), step the state, publish the decision, scale. Ticks of one revision
// never overlap; a request during a tick runs one more.
import type { DecisionRecord } from '@kpa-ts/bus';
import type { Logger } from 'pino';
import { errorText } from './errors.js';
import { observeTick, type AutoscalerMetrics } from './metrics.js';
import { revisionId } from './managed-revision.js';
import type { Clock, DecisionHistory, DecisionSink, ScaleBackend } from './ports.js';
import type { RevisionState, TickOutcome } from './revision-state.js';
import type { RevisionTable } from './revision-table.js';

export interface TickRunnerOptions {
  table: RevisionTable;
  backend: ScaleBackend;
  decisions: DecisionSink;
  history: DecisionHistory;
  clock: Clock;
  metrics: AutoscalerMetrics;
  logger: Logger;
  refreshIntervalMs: number;
  concurrency: number;
}

interface Run {
  done: Promise<void>;
  again: boolean;
}

interface Observed {
  ready: number;
  replicas: number;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

export class TickRunner {
  readonly #o: TickRunnerOptions;
  readonly #runs = new Map<string, Run>();
  /** Revisions whose backend read failed last time (logged once per outage). */
  readonly #failing = new Set<string>();
  /** Whether the last history lookup failed (logged once per outage). */
  #historyFailing = false;
  #round: Promise<void> | undefined;
  #closed = false;

  constructor(o: TickRunnerOptions) {
    this.#o = o;
  }

  /** No new ticks from now on. */
  close(): void {
    this.#closed = true;
  }

  /** Resolves when no tick is in flight. */
  async idle(): Promise<void> {
    while (this.#round !== undefined || this.#runs.size > 0) {
      await Promise.allSettled([this.#round, ...[...this.#runs.values()].map((r) => r.done)]);
    }
  }

  /** Every owned revision, `concurrency` at a time. A round still running is not started twice. */
  tickAll(): Promise<void> {
    if (this.#round !== undefined) return this.#round;
    const queue = this.#o.table.states();
    const worker = async (): Promise<void> => {
      for (let s = queue.shift(); s !== undefined && !this.#closed; s = queue.shift()) await this.request(s, false);
    };
    const workers = Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker);
    this.#round = Promise.all(workers).then(
      () => undefined,
      () => undefined,
    );
    void this.#round.finally(() => (this.#round = undefined));
    return this.#round;
  }

  /**
   * Ticks `state` now. While a tick of it runs: `again` (new data arrived: a poke, activator load)
   * runs one more after it; otherwise the running one is awaited.
   */
  request(state: RevisionState, again: boolean): Promise<void> {
    const id = revisionId(state.namespace, state.revision);
    const running = this.#runs.get(id);
    if (running !== undefined) {
      running.again ||= again;
      return running.done;
    }
    const run: Run = { done: Promise.resolve(), again: false };
    run.done = (async () => {
      try {
        do {
          run.again = false;
          await this.#tickOnce(state);
        } while (run.again && !this.#closed && this.#o.table.isCurrent(state));
      } finally {
        this.#runs.delete(id);
      }
    })();
    this.#runs.set(id, run);
    return run.done;
  }

  async #observe(state: RevisionState): Promise<Observed | undefined> {
    const { backend, metrics, logger } = this.#o;
    const id = revisionId(state.namespace, state.revision);
    try {
      const [ready, replicas] = await Promise.all([backend.readyPods(state.namespace, state.revision), backend.getScale(state.namespace, state.revision)]);
      if (!isCount(ready) || !isCount(replicas)) throw new Error(`backend returned ready = ${String(ready)}, replicas = ${String(replicas)}: not counts`);
      if (this.#failing.delete(id)) logger.info({ revision: id }, 'backend readable again');
      return { ready, replicas };
    } catch (err) {
      metrics.ticks.inc({ result: 'backend_error' });
      if (!this.#failing.has(id)) logger.warn({ revision: id, err: errorText(err) }, 'cannot read the pods: tick skipped, nothing changes');
      this.#failing.add(id);
      return undefined;
    }
  }

  /**
   * First sight: the revision's persisted latest decision (null: none, a new revision). undefined
   * when it cannot be known yet: the tick is skipped, as for unreadable pods (nothing changes).
   */
  async #persisted(state: RevisionState): Promise<DecisionRecord | null | undefined> {
    const { history, metrics, logger } = this.#o;
    try {
      const found = (await history.latest(state.namespace, state.revision)) ?? null;
      if (this.#historyFailing) logger.info('latest decisions readable again');
      this.#historyFailing = false;
      return found;
    } catch (err) {
      metrics.ticks.inc({ result: 'history_unavailable' });
      if (!this.#historyFailing) logger.warn({ revision: revisionId(state.namespace, state.revision), err: errorText(err) }, 'cannot read the persisted latest decision: first tick skipped, nothing changes');
      this.#historyFailing = true;
      return undefined;
    }
  }

  async #tickOnce(state: RevisionState): Promise<void> {
    if (this.#closed) return;
    const seen = await this.#observe(state);
    const persisted = seen !== undefined && state.needsAdoption ? await this.#persisted(state) : null;
    // The revision may have left this replica (shard lost, deleted) while the backend answered.
    if (seen === undefined || persisted === undefined || this.#closed || !this.#o.table.isCurrent(state)) return;
    const nowMs = this.#o.clock.nowMs();
    const previous = state.lastOutcome;
    const outcome = state.step({ nowMs, readyPods: seen.ready, currentReplicas: seen.replicas, persisted });
    this.#o.metrics.ticks.inc({ result: outcome.decision.valid ? 'valid' : 'no_data' });
    observeTick(this.#o.metrics, state, seen.ready, seen.replicas, outcome);
    this.#logAdoption(state, seen, outcome);
    this.#logChanges(state, previous, outcome);
    this.#publish(state, outcome, nowMs);
    if (outcome.scaleTo !== undefined) await this.#scale(state, seen.replicas, outcome.scaleTo);
  }

  #publish(state: RevisionState, outcome: TickOutcome, nowMs: number): void {
    const { decisions, metrics, refreshIntervalMs } = this.#o;
    const changed = outcome.publish;
    const record = changed ?? state.refreshDue(nowMs, refreshIntervalMs);
    if (record === undefined) return;
    decisions.publish(record);
    state.published(record, nowMs);
    metrics.decisionsPublished.inc({ reason: changed !== undefined ? 'changed' : 'refresh' });
  }

  async #scale(state: RevisionState, from: number, to: number): Promise<void> {
    const { backend, metrics, logger } = this.#o;
    const revision = revisionId(state.namespace, state.revision);
    try {
      await backend.scale(state.namespace, state.revision, to);
      metrics.scaleCalls.inc({ result: 'ok' });
      logger.info({ revision, from, to }, 'scaled');
    } catch (err) {
      metrics.scaleCalls.inc({ result: 'error' });
      logger.warn({ revision, from, to, err: errorText(err) }, 'scale failed; retried next tick');
    }
  }

  /** The first-sight rule and a min-scale reactivation: an info line and a counter each. */
  #logAdoption(state: RevisionState, seen: Observed, outcome: TickOutcome): void {
    const { metrics, logger } = this.#o;
    const revision = revisionId(state.namespace, state.revision);
    const condition = outcome.reconcile.state.condition;
    if (outcome.adopted !== undefined) {
      metrics.adoptions.inc({ rule: outcome.adopted });
      logger.info({ revision, rule: outcome.adopted, condition, replicas: seen.replicas, ready: seen.ready, scaleTo: outcome.scaleTo }, 'revision adopted');
    }
    if (outcome.reactivated) {
      metrics.reactivations.inc();
      logger.info({ revision, minScale: state.spec.reconcile.minScale, replicas: seen.replicas, scaleTo: outcome.scaleTo }, 'min-scale raised above the replicas: activating');
    }
  }

  /** Info lines for what an operator follows: panic on/off, mode switches. */
  #logChanges(state: RevisionState, previous: TickOutcome | undefined, next: TickOutcome): void {
    const revision = revisionId(state.namespace, state.revision);
    const log = this.#o.logger;
    if (next.panicking !== (previous?.panicking ?? false)) {
      log.info({ revision, panicking: next.panicking, panicAvg: next.averages.panicAvg, stableAvg: next.averages.stableAvg }, next.panicking ? 'panic mode on' : 'panic mode off');
    }
    if (previous !== undefined && previous.reconcile.mode !== next.reconcile.mode) {
      log.info({ revision, mode: next.reconcile.mode, ebc: next.decision.excessBurstCapacity }, `mode ${next.reconcile.mode}`);
    }
  }
}

// The autoscaler service: records the stats of the shards it leases, ticks every owned revision
// every 2 s (and at once on a poke, or on activator load for a revision at zero), scales through
// the backend and publishes decisions.
import type { StatRecord, PokeRecord } from '@kpa-ts/bus';
import { DEFAULT_AUTOSCALER_CONFIG, type AutoscalerConfig } from '@kpa-ts/config';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AutoscalerError } from './errors.js';
import { parseManagedRevision } from './managed-revision.js';
import { createAutoscalerMetrics, type AutoscalerMetrics } from './metrics.js';
import { systemClock, systemTimers, type Clock, type DecisionHistory, type DecisionSink, type PokeFeed, type ScaleBackend, type ShardChange, type ShardOwnership, type StatsFeed, type Timers } from './ports.js';
import type { RevisionState } from './revision-state.js';
import { RevisionTable } from './revision-table.js';
import { pokeTimeMs, toPodStat } from './stat-mapping.js';
import { TickRunner } from './tick-runner.js';

export interface AutoscalerOptions {
  /** This replica's id (logs). */
  name: string;
  backend: ScaleBackend;
  stats: StatsFeed;
  pokes: PokeFeed;
  decisions: DecisionSink;
  /** The persisted latest decisions: what a revision's state is restored from at first sight. */
  history: DecisionHistory;
  shards: ShardOwnership;
  /** Number of stats shards; must match the publishers' (default 16). */
  shardCount: number;
  /** The config-autoscaler to start with (default: Knative's defaults). */
  config?: AutoscalerConfig;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  timers?: Timers;
  /** Knative's tickInterval (default 2 000 ms); 0 = no timer: the caller drives `tick()`. */
  tickIntervalMs?: number;
  /** Republish an unchanged decision this often so the latest hash stays fresh (default 30 000 ms). */
  refreshIntervalMs?: number;
  /** Revisions ticked at once (backend calls in flight; default 16). */
  tickConcurrency?: number;
}

export interface Autoscaler {
  /** Lists the backend's revisions, starts the feeds (waits ≤ 5 s for the poke stream and the decision history) and the leases, then ticks. */
  start(): Promise<void>;
  /** Stops ticking, waits for ticks in flight, releases the leases (fenced), closes the feeds. */
  stop(): Promise<void>;
  /** One tick of every owned revision (what the timer runs). */
  tick(): Promise<void>;
  /** One tick of one revision now (what a poke runs); false when it is not owned here. */
  tickRevision(namespace: string, revision: string): Promise<boolean>;
  /** A new config-autoscaler: every revision's spec is rebuilt at once. */
  applyConfig(config: AutoscalerConfig): void;
  /** Resolves when no tick is in flight (ticks started by pokes included). */
  idle(): Promise<void>;
  /** The state of an owned revision (undefined when not owned here). */
  revision(namespace: string, revision: string): RevisionState | undefined;
  readonly ownedShards: readonly number[];
  readonly config: AutoscalerConfig;
  readonly metrics: AutoscalerMetrics;
  /** Started and not stopped. */
  readonly healthy: boolean;
}

export function createAutoscaler(o: AutoscalerOptions): Autoscaler {
  return new AutoscalerService(o);
}

class AutoscalerService implements Autoscaler {
  readonly metrics: AutoscalerMetrics;
  readonly #o: AutoscalerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #table: RevisionTable;
  readonly #runner: TickRunner;
  #timer: unknown;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(o: AutoscalerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'autoscaler', replica: o.name });
    this.#clock = o.clock ?? systemClock;
    this.#timers = o.timers ?? systemTimers;
    this.metrics = createAutoscalerMetrics(o.registry);
    this.#table = new RevisionTable({ shardCount: o.shardCount, config: o.config ?? { ...DEFAULT_AUTOSCALER_CONFIG }, logger: this.#log, metrics: this.metrics });
    this.#runner = new TickRunner({
      table: this.#table,
      backend: o.backend,
      decisions: o.decisions,
      history: o.history,
      clock: this.#clock,
      metrics: this.metrics,
      logger: this.#log,
      refreshIntervalMs: o.refreshIntervalMs ?? 30_000,
      concurrency: o.tickConcurrency ?? 16,
    });
  }

  get ownedShards(): readonly number[] {
    return this.#table.owned;
  }

  get config(): AutoscalerConfig {
    return this.#table.config;
  }

  get healthy(): boolean {
    return this.#state === 'running';
  }

  revision(namespace: string, revision: string): RevisionState | undefined {
    return this.#table.get(namespace, revision);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new AutoscalerError('AS_CLOSED', 'autoscaler already started or stopped; create a new one');
    this.#state = 'running';
    await this.#o.backend.start({
      revisionUpserted: (r) => this.#upsert(r),
      revisionDeleted: (ns, rev) => this.#table.delete(ns, rev),
    });
    this.#o.stats.start((s) => this.#onStat(s));
    this.#o.pokes.start((p) => this.#onPoke(p));
    this.#o.history.start();
    const [pokesSynced, historySynced] = await Promise.all([this.#o.pokes.whenSynced?.(5_000) ?? true, this.#o.history.whenSynced(5_000)]);
    if (!pokesSynced) this.#log.warn('poke stream not readable yet (Redis down?); starting anyway, pokes are read once it is');
    if (!historySynced) this.#log.warn('latest decisions not loaded yet (Redis down?); revisions are adopted once they are');
    this.#o.shards.start((c) => this.#onShards(c));
    const every = this.#o.tickIntervalMs ?? 2_000;
    if (every > 0) this.#timer = this.#timers.setInterval(() => void this.tick(), every);
    this.#log.info({ tickIntervalMs: every, shards: this.#o.shardCount }, 'autoscaler started');
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    if (!wasRunning) return;
    this.#runner.close();
    await this.#runner.idle();
    // Shutdown order: no more ticks → leases released (another replica takes over at once) → feeds.
    await this.#o.shards.stop();
    await Promise.allSettled([this.#o.stats.stop(), this.#o.pokes.stop(), this.#o.history.stop(), this.#o.decisions.close(), this.#o.backend.stop()]);
    this.#log.info('autoscaler stopped');
  }

  tick(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    return this.#runner.tickAll();
  }

  async tickRevision(namespace: string, revision: string): Promise<boolean> {
    const state = this.#table.get(namespace, revision);
    if (state === undefined || this.#state !== 'running') return false;
    await this.#runner.request(state, true);
    return true;
  }

  idle(): Promise<void> {
    return this.#runner.idle();
  }

  applyConfig(config: AutoscalerConfig): void {
    this.#table.setConfig(config);
    this.#log.info('config-autoscaler applied to every revision');
  }

  #upsert(input: unknown): void {
    try {
      this.#table.upsert(parseManagedRevision(input));
    } catch (err) {
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'backend reported an invalid revision; ignored');
    }
  }

  #onShards(change: ShardChange): void {
    this.#table.setOwned(change.owned);
    this.#o.stats.setShards(change.owned);
    this.#log.info({ owned: change.owned, gained: change.gained, lost: change.lost }, 'owned shards changed');
  }

  #onStat(stat: StatRecord): void {
    const state = this.#table.get(stat.ns, stat.rev);
    if (state === undefined) {
      this.metrics.stats.inc({ result: 'unowned' });
      return;
    }
    state.record(toPodStat(stat));
    this.metrics.stats.inc({ result: 'recorded' });
    // Knative's poke: activator load for a revision last decided at zero (or not decided yet)
    // gets a tick now, not at the next interval.
    if (stat.src === 'act' && stat.conc > 0 && state.desiredScale <= 0) void this.#runner.request(state, true);
  }

  #onPoke(poke: PokeRecord): void {
    const state = this.#table.get(poke.ns, poke.rev);
    if (state === undefined) {
      this.metrics.pokes.inc({ result: 'unowned' });
      return;
    }
    if (state.desiredScale > 0) {
      this.metrics.pokes.inc({ result: 'ignored' });
      return;
    }
    // A poke stands for a request waiting in the activator, even if its stats are not here yet;
    // that activator's next stat pays it back (no double count with its first-request push).
    state.recordPoke(poke.activator, pokeTimeMs(poke.ts, this.#clock.nowMs()));
    this.metrics.pokes.inc({ result: 'acted' });
    this.#log.debug({ revision: `${poke.ns}/${poke.rev}`, activator: poke.activator }, 'poke: ticking now');
    void this.#runner.request(state, true);
  }
}

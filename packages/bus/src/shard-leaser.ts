import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BusError } from './errors.js';
import { replicasKey, shardLeaseKey, STATS_SHARDS_DEFAULT } from './keys.js';
import { acquireScript, heartbeatScript, leaveScript, releaseScript, renewScript } from './lease-scripts.js';
import { busMetrics, type BusMetrics } from './metrics.js';
import { int, loggerOf, parseOptions, prefixSchema, redisUrlSchema, registryOf, type CommonOptions } from './options.js';
import { closeClient, createBusClient, whenReady } from './redis.js';
import { errorText } from './sleep.js';

export interface ShardChange {
  /** shards owned after the change, ascending */
  owned: readonly number[];
  gained: readonly number[];
  lost: readonly number[];
}

export interface ShardLeaserOptions extends CommonOptions {
  /** this replica's id (unique, e.g. the pod name) */
  replicaId: string;
  /** number of stats shards (default 16) */
  shards?: number;
  /** lease and heartbeat TTL (default 10 000 ms; tests use ~500 ms) */
  leaseTtlMs?: number;
  /** how often a round runs (default leaseTtlMs / 3) */
  renewIntervalMs?: number;
  /** called after each change of the owned set; lost shards are reported before their release is sent */
  onChange?: (change: ShardChange) => void;
  /** clock for lease validity (default Date.now) */
  now?: () => number;
  /** randomness for the order free shards are tried in and the tick jitter (default Math.random) */
  random?: () => number;
}

export interface ShardLeaser {
  /** Runs a round now and then every renewIntervalMs (± 10 % jitter). */
  start(): void;
  /** One round: heartbeat, renew, release beyond the fair share, take free shards up to it. */
  tick(): Promise<void>;
  /** Stops, releases every lease (fenced), leaves the registry, reports the loss. */
  stop(): Promise<void>;
  readonly owned: readonly number[];
}

const schema = z.object({
  redisUrl: redisUrlSchema,
  prefix: prefixSchema.default(''),
  replicaId: z.string().min(1).max(200),
  shards: int(1, 4096).default(STATS_SHARDS_DEFAULT),
  leaseTtlMs: int(50, 600_000).default(10_000),
  renewIntervalMs: int(10, 600_000).optional(),
});
type Settings = z.output<typeof schema> & { renewIntervalMs: number };

/** Leases are given up locally this much before Redis would expire them (clock drift, as Redlock). */
function driftMs(ttlMs: number): number {
  return Math.max(2, Math.ceil(ttlMs * 0.01));
}

/**
 * Shard ownership with leases. Each replica heartbeats into a registry (sorted set scored by expiry),
 * aims for its fair share ceil(shards / live replicas), renews what it owns (compare-and-PEXPIRE),
 * releases what is beyond its share (compare-and-DEL) and takes free shards (SET NX PX) up to it.
 * A dead replica's leases and heartbeat expire after one TTL; the next round of a survivor takes
 * its shards. If Redis is unreachable, leases are dropped locally when they would have expired.
 */
export function createShardLeaser(options: ShardLeaserOptions): ShardLeaser {
  const parsed = parseOptions('createShardLeaser', schema, { ...options, logger: undefined, registry: undefined, onChange: undefined, now: undefined, random: undefined });
  const renewIntervalMs = parsed.renewIntervalMs ?? Math.max(10, Math.floor(parsed.leaseTtlMs / 3));
  if (renewIntervalMs >= parsed.leaseTtlMs) {
    throw new BusError('BUS_INVALID_OPTIONS', `createShardLeaser: renewIntervalMs = ${renewIntervalMs}: must be below leaseTtlMs = ${parsed.leaseTtlMs}`);
  }
  const logger = loggerOf(options.logger, 'shard-leaser').child({ replica: parsed.replicaId });
  const metrics = busMetrics(registryOf(options.registry));
  return new ShardLeaserImpl({ ...parsed, renewIntervalMs }, options, logger, metrics);
}

class ShardLeaserImpl implements ShardLeaser {
  readonly #s: Settings;
  readonly #logger: Logger;
  readonly #metrics: BusMetrics;
  readonly #client: Redis;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #onChange: ((change: ShardChange) => void) | undefined;
  /** shard → local time until which the lease is surely ours */
  readonly #owned = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(s: Settings, o: ShardLeaserOptions, logger: Logger, metrics: BusMetrics) {
    this.#s = s;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#now = o.now ?? Date.now;
    this.#random = o.random ?? Math.random;
    this.#onChange = o.onChange;
    this.#client = createBusClient({ redisUrl: s.redisUrl, role: 'shard-leaser', logger, metrics });
  }

  get owned(): readonly number[] {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  start(): void {
    if (this.#stopped) throw new BusError('BUS_CLOSED', 'shard leaser was stopped; create a new one');
    if (this.#timer) return;
    const loop = (): void => {
      void this.tick().finally(() => {
        if (this.#stopped) return;
        const jitter = 1 + (this.#random() - 0.5) * 0.2;
        this.#timer = setTimeout(loop, Math.round(this.#s.renewIntervalMs * jitter));
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async tick(): Promise<void> {
    while (this.#round) await this.#round;
    if (this.#stopped) return;
    this.#round = this.#roundOnce().finally(() => (this.#round = undefined));
    await this.#round;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    while (this.#round) await this.#round;
    const shards = this.owned;
    if (shards.length > 0) this.#lose(shards, 'stopped');
    if (this.#client.status === 'ready') {
      try {
        await this.#release(shards);
        await leaveScript.run(this.#client, [replicasKey(this.#s.prefix)], [this.#s.replicaId]);
      } catch (err) {
        this.#logger.warn({ err: errorText(err) }, 'could not release leases on stop; they expire on their own');
      }
    }
    await closeClient(this.#client);
  }

  async #roundOnce(): Promise<void> {
    if (!(await whenReady(this.#client, this.#s.renewIntervalMs))) {
      this.#expireLocally();
      return;
    }
    try {
      const live = await this.#heartbeat();
      const fair = Math.ceil(this.#s.shards / Math.max(1, live));
      await this.#renew();
      if (this.#owned.size > fair) await this.#shed(this.#owned.size - fair);
      else if (this.#owned.size < fair) await this.#acquire(fair - this.#owned.size);
    } catch (err) {
      this.#logger.warn({ err: errorText(err) }, 'lease round failed');
      this.#expireLocally();
    }
  }

  async #heartbeat(): Promise<number> {
    const replicas = await heartbeatScript.run(this.#client, [replicasKey(this.#s.prefix)], [this.#s.replicaId, this.#s.leaseTtlMs]);
    return Array.isArray(replicas) ? replicas.length : 1;
  }

  async #renew(): Promise<void> {
    const shards = this.owned;
    if (shards.length === 0) return;
    const sentAt = this.#now();
    const keys = shards.map((s) => shardLeaseKey(s, this.#s.prefix));
    const results = (await renewScript.run(this.#client, keys, [this.#s.replicaId, this.#s.leaseTtlMs])) as number[];
    const lost: number[] = [];
    shards.forEach((shard, i) => {
      if (results[i] === 1) this.#owned.set(shard, this.#validUntil(sentAt));
      else lost.push(shard);
    });
    if (lost.length > 0) this.#lose(lost, 'taken');
  }

  /** Gives up `n` shards beyond the fair share (the highest-numbered), reporting before releasing. */
  async #shed(n: number): Promise<void> {
    const extra = this.owned.slice(-n);
    this.#lose(extra, 'rebalance');
    await this.#release(extra);
  }

  async #acquire(n: number): Promise<void> {
    const free = this.#shuffle([...Array(this.#s.shards).keys()].filter((s) => !this.#owned.has(s)));
    if (free.length === 0) return;
    const sentAt = this.#now();
    const keys = free.map((s) => shardLeaseKey(s, this.#s.prefix));
    const taken = (await acquireScript.run(this.#client, keys, [this.#s.replicaId, this.#s.leaseTtlMs, n])) as number[];
    const gained = taken.map((i) => free[i - 1]).filter((s): s is number => s !== undefined);
    if (gained.length === 0) return;
    for (const s of gained) this.#owned.set(s, this.#validUntil(sentAt));
    this.#metrics.leaseGains.inc(gained.length);
    this.#emit(gained, []);
  }

  async #release(shards: readonly number[]): Promise<void> {
    if (shards.length === 0) return;
    await releaseScript.run(this.#client, shards.map((s) => shardLeaseKey(s, this.#s.prefix)), [this.#s.replicaId]);
  }

  /** Without Redis, a lease is only ours until it would have expired there. */
  #expireLocally(): void {
    const now = this.#now();
    const expired = [...this.#owned].filter(([, until]) => until <= now).map(([s]) => s);
    if (expired.length > 0) this.#lose(expired, 'expired');
  }

  #validUntil(sentAt: number): number {
    return sentAt + this.#s.leaseTtlMs - driftMs(this.#s.leaseTtlMs);
  }

  #lose(shards: readonly number[], why: string): void {
    for (const s of shards) this.#owned.delete(s);
    this.#metrics.leaseLosses.inc(shards.length);
    this.#logger.info({ shards, why }, 'shard leases lost');
    this.#emit([], shards);
  }

  #emit(gained: readonly number[], lost: readonly number[]): void {
    this.#metrics.ownedShards.set(this.#owned.size);
    if (gained.length > 0) this.#logger.info({ shards: gained }, 'shard leases gained');
    try {
      this.#onChange?.({ owned: this.owned, gained: [...gained].sort((a, b) => a - b), lost: [...lost].sort((a, b) => a - b) });
    } catch (err) {
      this.#logger.error({ err: errorText(err) }, 'onChange threw');
    }
  }

  #shuffle<V>(items: V[]): V[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [items[i], items[j]] = [items[j] as V, items[i] as V];
    }
    return items;
  }
}

// The autoscaler's ports over Redis, through @kpa-ts/bus: the stats consumer group on the owned
// shards, the poke reader (every replica reads every poke), the decision publisher (stream + latest
// hash in one MULTI), the decision history (the bus's decision watcher: the hash, then the stream)
// and the shard leaser.
import {
  createDecisionPublisher,
  createDecisionWatcher,
  createPokeReader,
  createShardLeaser,
  createStatsConsumer,
  type DecisionWatcher,
  type PokeReader,
  type StatRecord,
  type StatsConsumer,
} from '@kpa-ts/bus';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AutoscalerError } from './errors.js';
import type { DecisionHistory, DecisionSink, PokeFeed, ShardOwnership, StatsFeed } from './ports.js';

export interface BusPortsOptions {
  redisUrl: string;
  /** Key prefix (tests use a random one). */
  prefix?: string;
  /** This replica's id: consumer name in the stats group, lease owner. */
  replicaId: string;
  shardCount: number;
  /** Shard lease TTL: a dead replica's shards move within about this long. */
  leaseTtlMs: number;
  /** Reclaim stats a dead replica read but never acknowledged after this long (bus default 30 s). */
  claimMinIdleMs?: number;
  registry: Registry;
  logger: Logger;
}

export interface BusPorts {
  stats: StatsFeed;
  pokes: PokeFeed;
  decisions: DecisionSink;
  history: DecisionHistory;
  shards: ShardOwnership;
}

function statsFeed(o: BusPortsOptions): StatsFeed {
  let consumer: StatsConsumer | undefined;
  let shards: readonly number[] = [];
  return {
    start(handler: (s: StatRecord) => void) {
      consumer = createStatsConsumer({
        redisUrl: o.redisUrl,
        ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
        ...(o.claimMinIdleMs !== undefined ? { claimMinIdleMs: o.claimMinIdleMs } : {}),
        consumer: o.replicaId,
        shards,
        handler,
        registry: o.registry,
        logger: o.logger,
      });
      consumer.start();
    },
    setShards(next) {
      shards = next;
      consumer?.setShards(next);
    },
    stop: async () => consumer?.stop(),
  };
}

function pokeFeed(o: BusPortsOptions): PokeFeed {
  let reader: PokeReader | undefined;
  return {
    start(handler) {
      reader = createPokeReader({ redisUrl: o.redisUrl, ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), handler, registry: o.registry, logger: o.logger, blockMs: 1_000 });
      reader.start();
    },
    whenSynced: async (timeoutMs) => (reader === undefined ? false : reader.whenSynced(timeoutMs)),
    stop: async () => reader?.stop(),
  };
}

/**
 * The persisted latest decisions: `kpa:decisions:latest` loaded at every (re)connection, then the
 * decisions stream followed (so a takeover sees the previous owner's last decision). Lookups are
 * answered from memory once the hash was loaded once; before that they reject.
 */
function decisionHistory(o: BusPortsOptions): DecisionHistory {
  let watcher: DecisionWatcher | undefined;
  let synced = false;
  const isSynced = async (timeoutMs: number): Promise<boolean> => {
    if (!synced && watcher !== undefined) synced = await watcher.whenSynced(timeoutMs);
    return synced;
  };
  return {
    start() {
      watcher = createDecisionWatcher({ redisUrl: o.redisUrl, ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), registry: o.registry, logger: o.logger, blockMs: 1_000 });
      watcher.start();
    },
    whenSynced: isSynced,
    async latest(ns, rev) {
      // whenSynced(0) answers at once: true when loaded already (its promise settles before the timer).
      if (watcher === undefined || !(await isSynced(0))) throw new AutoscalerError('AS_HISTORY_UNAVAILABLE', 'the latest decisions were not loaded from Redis yet');
      return watcher.latest(ns, rev);
    },
    stop: async () => watcher?.stop(),
  };
}

function shardOwnership(o: BusPortsOptions): ShardOwnership {
  let stop: (() => Promise<void>) | undefined;
  return {
    start(onChange) {
      const leaser = createShardLeaser({
        redisUrl: o.redisUrl,
        ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
        replicaId: o.replicaId,
        shards: o.shardCount,
        leaseTtlMs: o.leaseTtlMs,
        onChange,
        registry: o.registry,
        logger: o.logger,
      });
      leaser.start();
      stop = () => leaser.stop();
    },
    stop: async () => stop?.(),
  };
}

/** The decision publisher connects at once; the other ports when the autoscaler starts them. */
export function createBusPorts(o: BusPortsOptions): BusPorts {
  const publisher = createDecisionPublisher({ redisUrl: o.redisUrl, ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), registry: o.registry, logger: o.logger });
  return {
    stats: statsFeed(o),
    pokes: pokeFeed(o),
    decisions: { publish: (d) => publisher.publish(d), close: () => publisher.close() },
    history: decisionHistory(o),
    shards: shardOwnership(o),
  };
}

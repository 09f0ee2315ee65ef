// The activator's bus ports, implemented with @kpa-ts/bus: the batching stats publisher, the poke
// publisher and the decisions watcher (hash snapshot + XREAD tail, resynced on every reconnection).
// All three never block or throw; while Redis is away they drop and count (kpa_bus_dropped_total).
import { createDecisionWatcher, createPokePublisher, createStatsPublisher, type DecisionWatcher } from '@kpa-ts/bus';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DecisionFeed, PokeSink, StatsSink } from './ports.js';

export interface BusWiringOptions {
  redisUrl: string;
  prefix: string;
  shards: number;
  registry: Registry;
  logger: Logger;
  /** XREAD BLOCK timeout of the decisions watcher (default the bus's, 5 s) */
  blockMs?: number;
  /** How long DecisionFeed.start() waits for the latest-decision hash (default 5 s). */
  syncTimeoutMs?: number;
}

export interface BusPorts {
  stats: StatsSink;
  pokes: PokeSink;
  decisions: DecisionFeed;
  /** The bus publishers' drop counts so far (stats, pokes). */
  dropped(): { stats: number; pokes: number };
  close(): Promise<void>;
}

function decisionFeed(o: BusWiringOptions): DecisionFeed {
  let watcher: DecisionWatcher | undefined;
  return {
    async start(onDecision) {
      watcher = createDecisionWatcher({
        redisUrl: o.redisUrl,
        prefix: o.prefix,
        registry: o.registry,
        logger: o.logger,
        onDecision: (d) => onDecision(d),
        ...(o.blockMs !== undefined ? { blockMs: o.blockMs } : {}),
      });
      watcher.start();
      await watcher.whenSynced(o.syncTimeoutMs);
    },
    async stop() {
      await watcher?.stop();
      watcher = undefined;
    },
  };
}

export function connectBus(o: BusWiringOptions): BusPorts {
  const common = { redisUrl: o.redisUrl, prefix: o.prefix, registry: o.registry, logger: o.logger };
  const stats = createStatsPublisher({ ...common, shards: o.shards });
  const pokes = createPokePublisher(common);
  const decisions = decisionFeed(o);
  return {
    stats,
    pokes,
    decisions,
    dropped: () => ({ stats: stats.dropped, pokes: pokes.dropped }),
    close: async () => {
      await decisions.stop();
      await Promise.all([pokes.close(), stats.close()]);
    },
  };
}

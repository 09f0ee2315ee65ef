import type { ChainableCommander } from 'ioredis';
import { z } from 'zod';
import { Batcher } from './batcher.js';
import { statsStream, STATS_SHARDS_DEFAULT } from './keys.js';
import { LogOnce } from './log-once.js';
import { busMetrics } from './metrics.js';
import { int, loggerOf, parseOptions, prefixSchema, redisUrlSchema, registryOf, type CommonOptions } from './options.js';
import { createBusClient } from './redis.js';
import { statCodec, type StatRecord } from './records.js';
import { shardOf } from './shard.js';

/** Where stats go; the queue-proxy and the activator depend on this, not on Redis. */
export interface StatsSink {
  /** Never blocks, never throws: buffers, and drops (counted) what cannot be sent. */
  publish(stat: StatRecord): void;
  close(): Promise<void>;
}

export interface StatsPublisher extends StatsSink {
  /** stats given up so far (buffer full while Redis was away, invalid, failed in flight, after close) */
  readonly dropped: number;
  /** stats waiting to be sent */
  readonly buffered: number;
  /** Sends what is buffered now, waiting up to `readyTimeoutMs` (1 s) for Redis. Never rejects. */
  flush(readyTimeoutMs?: number): Promise<void>;
}

export interface StatsPublisherOptions extends CommonOptions {
  /** number of stats shards; must match the autoscaler's (default 16) */
  shards?: number;
  /** stats kept waiting while Redis is away; the oldest beyond it are dropped (default 1 000) */
  maxBuffered?: number;
  /** flush at most this long after a stat arrives (default 100 ms) */
  flushIntervalMs?: number;
  /** entries per pipeline; a buffer this full flushes at once (default 1 000) */
  maxBatch?: number;
  /** approximate length each shard stream is trimmed to (XADD MAXLEN ~, default 10 000) */
  maxLen?: number;
}

const schema = z.object({
  redisUrl: redisUrlSchema,
  prefix: prefixSchema.default(''),
  shards: int(1, 4096).default(STATS_SHARDS_DEFAULT),
  maxBuffered: int(1, 1_000_000).default(1_000),
  flushIntervalMs: int(0, 60_000).default(100),
  maxBatch: int(1, 100_000).default(1_000),
  maxLen: int(1, 100_000_000).default(10_000),
});

interface Pending {
  stream: string;
  fields: string[];
}

/**
 * Publishes StatRecords to `kpa:stats:{shardOf(ns, rev)}` in pipelined `XADD ... MAXLEN ~ N`
 * batches at most every `flushIntervalMs`. While Redis is away it keeps at most `maxBuffered`
 * stats, dropping (and counting) the oldest: stats are lossy, a stale second is worth little.
 */
export function createStatsPublisher(options: StatsPublisherOptions): StatsPublisher {
  const o = parseOptions('createStatsPublisher', schema, { ...options, logger: undefined, registry: undefined });
  const logger = loggerOf(options.logger, 'stats-publisher');
  const metrics = busMetrics(registryOf(options.registry));
  const client = createBusClient({ redisUrl: o.redisUrl, role: 'stats-publisher', logger, metrics });
  const maxLen = String(o.maxLen);
  const batcher = new Batcher<Pending>({
    client,
    kind: 'stats',
    metrics,
    logger,
    maxBuffered: o.maxBuffered,
    flushIntervalMs: o.flushIntervalMs,
    maxBatch: o.maxBatch,
    retryFailed: false,
    transaction: false,
    write: (batch: ChainableCommander, p: Pending) => (batch.xadd(p.stream, 'MAXLEN', '~', maxLen, '*', ...p.fields), 1),
  });
  const once = new LogOnce(logger);
  return {
    publish(stat: StatRecord): void {
      try {
        const encoded = statCodec.encode(stat);
        if (!encoded.ok) {
          batcher.drop(1, 'invalid');
          once.warn('stats:invalid', { detail: encoded.detail }, 'invalid stat not published');
          return;
        }
        batcher.push({ stream: statsStream(shardOf(stat.ns, stat.rev, o.shards), o.prefix), fields: encoded.fields });
      } catch (err) {
        batcher.drop(1, 'invalid'); // a non-object or a throwing getter: still never throws
        once.warn('stats:error', { err: String(err) }, 'stat not published');
      }
    },
    flush: (readyTimeoutMs?: number) => batcher.flush(readyTimeoutMs),
    close: () => batcher.close(),
    get dropped() {
      return batcher.dropped;
    },
    get buffered() {
      return batcher.buffered;
    },
  };
}

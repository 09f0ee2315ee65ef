import type { ChainableCommander } from 'ioredis';
import { z } from 'zod';
import { Batcher } from './batcher.js';
import { EntryDelivery, type EntryHandler } from './entry-handling.js';
import { pokeStream, revisionKey } from './keys.js';
import { LogOnce } from './log-once.js';
import { busMetrics } from './metrics.js';
import { int, loggerOf, parseOptions, prefixSchema, redisUrlSchema, registryOf, type CommonOptions } from './options.js';
import { createBusClient } from './redis.js';
import { pokeCodec, type PokeRecord } from './records.js';
import { resumeOrNewest, StreamTail } from './stream-tail.js';

export interface PokePublisherOptions extends CommonOptions {
  /** approximate length of `kpa:poke` (XADD MAXLEN ~, default 1 000) */
  maxLen?: number;
  /** revisions whose poke may wait for Redis (default 1 000) */
  maxBuffered?: number;
}

export interface PokePublisher {
  /** Never blocks or throws; sent on the next tick. Pokes for the same revision coalesce. */
  poke(poke: PokeRecord): void;
  flush(readyTimeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  readonly dropped: number;
}

const publisherSchema = z.object({
  redisUrl: redisUrlSchema,
  prefix: prefixSchema.default(''),
  maxLen: int(1, 100_000_000).default(1_000),
  maxBuffered: int(1, 1_000_000).default(1_000),
});

/** The activator's side of `kpa:poke`: "a request is waiting for this revision at zero". */
export function createPokePublisher(options: PokePublisherOptions): PokePublisher {
  const o = parseOptions('createPokePublisher', publisherSchema, { ...options, logger: undefined, registry: undefined });
  const logger = loggerOf(options.logger, 'poke-publisher');
  const metrics = busMetrics(registryOf(options.registry));
  const client = createBusClient({ redisUrl: o.redisUrl, role: 'poke-publisher', logger, metrics });
  const stream = pokeStream(o.prefix);
  const maxLen = String(o.maxLen);
  const batcher = new Batcher<{ key: string; fields: string[] }>({
    client, kind: 'poke', metrics, logger, keyOf: (p) => p.key,
    write: (batch: ChainableCommander, p) => (batch.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...p.fields), 1),
    maxBuffered: o.maxBuffered, flushIntervalMs: 0, maxBatch: 500, retryFailed: true, transaction: false,
  });
  const once = new LogOnce(logger);
  return {
    poke(poke: PokeRecord): void {
      const encoded = pokeCodec.encode(poke);
      if (!encoded.ok) {
        batcher.drop(1, 'invalid');
        once.warn('poke:invalid', { detail: encoded.detail }, 'invalid poke not published');
        return;
      }
      batcher.push({ key: revisionKey(poke.ns, poke.rev), fields: encoded.fields });
    },
    flush: (readyTimeoutMs?: number) => batcher.flush(readyTimeoutMs),
    close: () => batcher.close(),
    get dropped() {
      return batcher.dropped;
    },
  };
}

export interface PokeReaderOptions extends CommonOptions {
  handler: EntryHandler<PokeRecord>;
  /** XREAD BLOCK timeout (default 5 000 ms) */
  blockMs?: number;
}

export interface PokeReader {
  start(): void;
  stop(): Promise<void>;
  /** True once the reader knows where the stream ends and reads from there. */
  whenSynced(timeoutMs?: number): Promise<boolean>;
}

const readerSchema = z.object({ redisUrl: redisUrlSchema, prefix: prefixSchema.default(''), blockMs: int(1, 60_000).default(5_000) });

/**
 * The autoscaler's side of `kpa:poke`. Every replica reads every poke (XREAD, no group) and acts
 * on the revisions of the shards it owns: a group would hand a poke to one replica, likely not
 * the owner. Pokes are wake-up calls: old ones (before start) are skipped.
 */
export function createPokeReader(options: PokeReaderOptions): PokeReader {
  const o = parseOptions('createPokeReader', readerSchema, { ...options, logger: undefined, registry: undefined, handler: undefined });
  const logger = loggerOf(options.logger, 'poke-reader');
  const metrics = busMetrics(registryOf(options.registry));
  const stream = pokeStream(o.prefix);
  const delivery = new EntryDelivery(pokeCodec, options.handler, metrics, logger);
  const tail = new StreamTail({ redisUrl: o.redisUrl, role: 'poke-reader', stream, delivery, resync: resumeOrNewest(stream), blockMs: o.blockMs, count: 500, logger, metrics });
  return { start: () => tail.start(), stop: () => tail.stop(), whenSynced: (t?: number) => tail.whenSynced(t) };
}

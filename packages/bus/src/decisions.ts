import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { Batcher } from './batcher.js';
import { EntryDelivery, type EntryContext } from './entry-handling.js';
import { decisionsLatestKey, decisionsStream, revisionKey } from './keys.js';
import { LogOnce } from './log-once.js';
import { busMetrics } from './metrics.js';
import { int, loggerOf, parseOptions, prefixSchema, redisUrlSchema, registryOf, type CommonOptions } from './options.js';
import { createBusClient } from './redis.js';
import { decisionCodec, type DecisionRecord } from './records.js';
import type { RawEntry } from './stream-ids.js';
import { StreamTail } from './stream-tail.js';

export interface DecisionPublisherOptions extends CommonOptions {
  /** approximate length of `kpa:decisions` (XADD MAXLEN ~, default 10 000) */
  maxLen?: number;
  /** revisions whose decision may wait for Redis; beyond it the oldest are dropped (default 10 000) */
  maxBuffered?: number;
  /** batching delay (default 0: everything published in the same tick goes in one MULTI) */
  flushIntervalMs?: number;
}

export interface DecisionPublisher {
  /** Never blocks or throws. A newer decision for the same revision replaces a buffered one. */
  publish(decision: DecisionRecord): void;
  flush(readyTimeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  readonly dropped: number;
}

const publisherSchema = z.object({
  redisUrl: redisUrlSchema,
  prefix: prefixSchema.default(''),
  maxLen: int(1, 100_000_000).default(10_000),
  maxBuffered: int(1, 1_000_000).default(10_000),
  flushIntervalMs: int(0, 60_000).default(0),
});

/** Encodes a decision as the JSON object stored in `kpa:decisions:latest`. */
function hashValue(fields: string[]): string {
  const record: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return JSON.stringify(record);
}

interface Pending {
  field: string;
  fields: string[];
}

/**
 * Publishes decisions: `XADD kpa:decisions MAXLEN ~ N` and `HSET kpa:decisions:latest ns/rev`
 * in one MULTI per batch, so the stream and the hash never disagree (the watcher relies on it).
 * Batches that fail in flight are retried (coalesced per revision); refused ones are dropped.
 */
export function createDecisionPublisher(options: DecisionPublisherOptions): DecisionPublisher {
  const o = parseOptions('createDecisionPublisher', publisherSchema, { ...options, logger: undefined, registry: undefined });
  const logger = loggerOf(options.logger, 'decision-publisher');
  const metrics = busMetrics(registryOf(options.registry));
  const client = createBusClient({ redisUrl: o.redisUrl, role: 'decision-publisher', logger, metrics });
  const stream = decisionsStream(o.prefix);
  const latest = decisionsLatestKey(o.prefix);
  const maxLen = String(o.maxLen);
  const write = (batch: ChainableCommander, p: Pending): number => {
    batch.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...p.fields);
    batch.hset(latest, p.field, hashValue(p.fields));
    return 2;
  };
  const batcher = new Batcher<Pending>({
    client, kind: 'decisions', metrics, logger, write, keyOf: (p) => p.field,
    maxBuffered: o.maxBuffered, flushIntervalMs: o.flushIntervalMs, maxBatch: 500, retryFailed: true, transaction: true,
  });
  const once = new LogOnce(logger);
  return {
    publish(decision: DecisionRecord): void {
      const encoded = decisionCodec.encode(decision);
      if (!encoded.ok) {
        batcher.drop(1, 'invalid');
        once.warn('decisions:invalid', { detail: encoded.detail }, 'invalid decision not published');
        return;
      }
      batcher.push({ field: revisionKey(decision.ns, decision.rev), fields: encoded.fields });
    },
    flush: (readyTimeoutMs?: number) => batcher.flush(readyTimeoutMs),
    close: () => batcher.close(),
    get dropped() {
      return batcher.dropped;
    },
  };
}

export interface DecisionContext extends Omit<EntryContext, 'reclaimed'> {
  /** 'snapshot': loaded from the latest-decision hash at (re)connection; 'stream': a new decision */
  source: 'snapshot' | 'stream';
}

export interface DecisionWatcherOptions extends CommonOptions {
  /** called for every decision from the snapshot and the stream, in order */
  onDecision?: (decision: DecisionRecord, context: DecisionContext) => void;
  /** XREAD BLOCK timeout (default 5 000 ms) */
  blockMs?: number;
  /** entries per read (default 500) */
  count?: number;
}

export interface DecisionWatcher {
  start(): void;
  stop(): Promise<void>;
  /** True once the latest-decision hash was loaded (false after `timeoutMs`, default 5 s). */
  whenSynced(timeoutMs?: number): Promise<boolean>;
  /** The latest decision known for a revision. */
  latest(ns: string, rev: string): DecisionRecord | undefined;
  /** Every revision's latest decision, keyed `${ns}/${rev}`. */
  all(): ReadonlyMap<string, DecisionRecord>;
}

const watcherSchema = z.object({
  redisUrl: redisUrlSchema,
  prefix: prefixSchema.default(''),
  blockMs: int(1, 60_000).default(5_000),
  count: int(1, 10_000).default(500),
});

/**
 * What every activator runs: loads `kpa:decisions:latest` and the stream's newest id atomically
 * (one MULTI, matching the publisher's MULTI), then follows `kpa:decisions` with XREAD from that id.
 * Every (re)connection reloads the hash, so a restarted activator or Redis starts right.
 */
export function createDecisionWatcher(options: DecisionWatcherOptions): DecisionWatcher {
  const o = parseOptions('createDecisionWatcher', watcherSchema, { ...options, logger: undefined, registry: undefined, onDecision: undefined });
  const logger = loggerOf(options.logger, 'decision-watcher');
  const metrics = busMetrics(registryOf(options.registry));
  const stream = decisionsStream(o.prefix);
  const latestKey = decisionsLatestKey(o.prefix);
  const known = new Map<string, DecisionRecord>();
  const apply = (d: DecisionRecord, context: DecisionContext): void => {
    known.set(revisionKey(d.ns, d.rev), d);
    options.onDecision?.(d, context);
  };
  const delivery = new EntryDelivery(decisionCodec, (d, ctx) => apply(d, { stream: ctx.stream, id: ctx.id, source: 'stream' }), metrics, logger);
  const snapshotDelivery = new EntryDelivery(decisionCodec, (d, ctx) => apply(d, { stream: latestKey, id: ctx.id, source: 'snapshot' }), metrics, logger);

  const resync = async (client: Redis): Promise<string> => {
    const results = await client.multi().xrevrange(stream, '+', '-', 'COUNT', 1).hgetall(latestKey).exec();
    const [[xErr, newest] = [null, []], [hErr, hash] = [null, {}]] = (results ?? []) as [Error | null, unknown][];
    if (xErr || hErr) throw xErr ?? hErr;
    const entries: RawEntry[] = Object.entries(hash as Record<string, string>).map(([field, json]) => [field, jsonFields(json)]);
    const invalid = entries.filter(([, f]) => f === null);
    for (const [field] of invalid) snapshotDelivery.malformed(latestKey, 'bad_shape', `hash field ${field.slice(0, 64)} is not a JSON object of strings`);
    await snapshotDelivery.deliver(latestKey, entries.filter(([, f]) => f !== null));
    return (newest as RawEntry[])[0]?.[0] ?? '0-0';
  };
  const tail = new StreamTail({ redisUrl: o.redisUrl, role: 'decision-watcher', stream, delivery, resync, blockMs: o.blockMs, count: o.count, logger, metrics });
  return {
    start: () => tail.start(),
    stop: () => tail.stop(),
    whenSynced: (timeoutMs?: number) => tail.whenSynced(timeoutMs),
    latest: (ns, rev) => known.get(revisionKey(ns, rev)),
    all: () => known,
  };
}

/** A hash value back into flat fields, or null when it is not a JSON object of strings. */
function jsonFields(json: string): string[] | null {
  try {
    const value: unknown = JSON.parse(json);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    return Object.entries(value).flatMap(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  } catch {
    return null;
  }
}

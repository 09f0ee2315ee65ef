// The activator's bus ports over Redis. Stats go through @kpa-ts/bus's batching publisher; pokes and
// the decisions feed use the bus's stream names and versioned codecs on their own connections.
import { createStatsPublisher, decisionCodec, decisionsLatestKey, decisionsStream, pokeCodec, pokeStream, reconnectDelayMs } from '@kpa-ts/bus';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DecisionRecord } from './bus-types.js';
import type { DecisionFeed, PokeSink, StatsSink } from './ports.js';

export interface BusWiringOptions {
  redisUrl: string;
  prefix: string;
  shards: number;
  registry: Registry;
  logger: Logger;
  /** this activator's name (connection names) */
  name: string;
  /** approximate length `kpa:poke` is trimmed to */
  pokeMaxLen?: number;
  /** XREAD BLOCK timeout of the decisions feed */
  blockMs?: number;
}

export interface BusPorts {
  stats: StatsSink;
  pokes: PokeSink;
  decisions: DecisionFeed;
  close(): Promise<void>;
}

/** A client that fails fast while Redis is away (no offline queue), reconnecting with backoff. */
function client(url: string, name: string, log: Logger): Redis {
  const c = new Redis(url, { retryStrategy: reconnectDelayMs, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, connectionName: name, lazyConnect: false });
  let down = false;
  c.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message, connection: name }, 'redis unavailable; dropping and reconnecting');
    down = true;
  });
  c.on('ready', () => (down = false));
  return c;
}

function createPokeSink(o: BusWiringOptions, dropped: Counter<'kind'>): PokeSink & { close(): Promise<void> } {
  const c = client(o.redisUrl, `kpa-activator-poke-${o.name}`, o.logger);
  const stream = pokeStream(o.prefix);
  const maxLen = String(o.pokeMaxLen ?? 1000);
  return {
    poke(p) {
      const enc = pokeCodec.encode(p);
      if (!enc.ok || c.status !== 'ready') {
        dropped.inc({ kind: 'poke' });
        return;
      }
      c.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...enc.fields).catch(() => dropped.inc({ kind: 'poke' }));
    },
    close: async () => void c.disconnect(),
  };
}

/**
 * Every activator reads every decision: the latest per revision from the hash first, then the
 * stream from the id it had reached before reading the hash (so nothing between is lost; older
 * ones are ignored by ts). After a Redis outage the hash is read again.
 */
function createDecisionFeed(o: BusWiringOptions, malformed: Counter<'kind'>): DecisionFeed {
  const c = client(o.redisUrl, `kpa-activator-decisions-${o.name}`, o.logger);
  const stream = decisionsStream(o.prefix);
  const hash = decisionsLatestKey(o.prefix);
  let running = false;
  let loop: Promise<void> | undefined;

  const deliver = (fields: unknown, cb: (d: DecisionRecord) => void): void => {
    const d = Array.isArray(fields) || typeof fields !== 'object' || fields === null ? decisionCodec.decode(fields) : decisionCodec.decodeObject(fields as Record<string, unknown>);
    if (d.ok) cb(d.value);
    else malformed.inc({ kind: 'decision' });
  };
  const catchUp = async (cb: (d: DecisionRecord) => void): Promise<string> => {
    const last = (await c.xrevrange(stream, '+', '-', 'COUNT', 1))[0];
    const all = await c.hgetall(hash);
    for (const v of Object.values(all)) {
      try {
        deliver(JSON.parse(v), cb);
      } catch {
        malformed.inc({ kind: 'decision' });
      }
    }
    return last ? last[0] : '0-0';
  };
  const run = async (cb: (d: DecisionRecord) => void, first: () => void): Promise<void> => {
    let lastId: string | undefined;
    while (running) {
      try {
        lastId ??= await catchUp(cb);
        first();
        const res = await c.xread('COUNT', 500, 'BLOCK', o.blockMs ?? 1000, 'STREAMS', stream, lastId);
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            deliver(fields, cb);
          }
        }
      } catch {
        lastId = undefined; // re-read the hash once Redis is back
        if (running) await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  return {
    start: (cb) =>
      new Promise<void>((resolve) => {
        running = true;
        loop = run(cb, resolve);
      }),
    stop: async () => {
      running = false;
      c.disconnect();
      await loop;
    },
  };
}

export function connectBus(o: BusWiringOptions): BusPorts {
  const dropped = new Counter({ name: 'activator_bus_dropped_total', help: 'Pokes dropped because Redis was away', labelNames: ['kind'], registers: [o.registry] });
  const malformed = new Counter({ name: 'activator_bus_malformed_total', help: 'Decision entries that did not decode', labelNames: ['kind'], registers: [o.registry] });
  const stats = createStatsPublisher({ redisUrl: o.redisUrl, prefix: o.prefix, shards: o.shards, registry: o.registry, logger: o.logger });
  const pokes = createPokeSink(o, dropped);
  const decisions = createDecisionFeed(o, malformed);
  return {
    stats,
    pokes,
    decisions,
    close: async () => {
      await decisions.stop();
      await pokes.close();
      await stats.close();
    },
  };
}

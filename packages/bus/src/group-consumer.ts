import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { fieldsToObject, type Codec } from './codec.js';
import { EntryDelivery, type EntryHandler } from './entry-handling.js';
import { BusError } from './errors.js';
import { busMetrics, type BusMetrics } from './metrics.js';
import { int, loggerOf, parseOptions, redisUrlSchema, registryOf, type CommonOptions } from './options.js';
import { closeClient, createBusClient, reconnectDelayMs, whenReady } from './redis.js';
import { errorText, sleep } from './sleep.js';
import { streamsReply, type RawEntry } from './stream-ids.js';

export interface GroupConsumerOptions<T> extends Omit<CommonOptions, 'prefix'> {
  codec: Codec<T>;
  /** full stream keys (prefix included) to read at start; change them later with setStreams */
  streams: readonly string[];
  /** consumer group name, shared by every replica reading these streams */
  group: string;
  /** this consumer's name in the group: unique per process (e.g. pod name) */
  consumer: string;
  /** called once per valid entry, in stream order; the entry is acknowledged after it returns */
  handler: EntryHandler<T>;
  /** XREADGROUP BLOCK timeout (default 1 000 ms): also bounds how late a setStreams change is seen */
  blockMs?: number;
  /** entries per read (default 100) */
  count?: number;
  /** reclaim another consumer's entries pending longer than this (XAUTOCLAIM min-idle, default 30 000 ms) */
  claimMinIdleMs?: number;
  /** how often to run XAUTOCLAIM (default: claimMinIdleMs / 2) */
  claimIntervalMs?: number;
  /** where a group created for a stream starts: '$' new entries only (default), '0' everything */
  startId?: '$' | '0';
  /** clock for the claim interval (default Date.now) */
  now?: () => number;
}

export interface GroupConsumer {
  /** Starts the read loop (idempotent). */
  start(): void;
  /** Stops reading, waits for the handler in progress, closes the connections. Idempotent. */
  stop(): Promise<void>;
  /** Reads these streams from the next read on (interrupts a blocking read); creates missing groups. */
  setStreams(streams: readonly string[]): void;
  readonly streams: readonly string[];
}

const schema = z.object({
  redisUrl: redisUrlSchema,
  group: z.string().min(1).max(200),
  consumer: z.string().min(1).max(200),
  blockMs: int(1, 60_000).default(1_000),
  count: int(1, 10_000).default(100),
  claimMinIdleMs: int(1, 3_600_000).default(30_000),
  claimIntervalMs: int(1, 3_600_000).optional(),
  startId: z.enum(['$', '0']).default('$'),
});
type Settings = z.output<typeof schema> & { claimIntervalMs: number };

/** How many XAUTOCLAIM pages (of `count` entries) one claim round takes at most per stream. */
const CLAIM_PAGES_MAX = 10;

/**
 * Reads streams through a consumer group: XGROUP CREATE ... MKSTREAM, XREADGROUP ... BLOCK, XACK
 * after the handler, XAUTOCLAIM of entries a dead consumer left pending. Survives Redis restarts:
 * on NOGROUP (the data set is gone) it recreates the groups from '0'.
 */
export function createGroupConsumer<T>(options: GroupConsumerOptions<T>): GroupConsumer {
  const parsed = parseOptions('createGroupConsumer', schema, { ...options, codec: undefined, handler: undefined, logger: undefined, registry: undefined, streams: undefined, now: undefined });
  const settings: Settings = { ...parsed, claimIntervalMs: parsed.claimIntervalMs ?? Math.max(1, Math.floor(parsed.claimMinIdleMs / 2)) };
  const logger = loggerOf(options.logger, 'group-consumer').child({ group: settings.group, consumer: settings.consumer });
  const metrics = busMetrics(registryOf(options.registry));
  return new GroupConsumerImpl(options, settings, logger, metrics);
}

class GroupConsumerImpl<T> implements GroupConsumer {
  readonly #s: Settings;
  readonly #logger: Logger;
  readonly #metrics: BusMetrics;
  readonly #delivery: EntryDelivery<T>;
  readonly #redisUrl: string;
  readonly #now: () => number;
  #streams: string[];
  /** streams whose group is known to exist; cleared on NOGROUP */
  readonly #grouped = new Set<string>();
  #recreateFrom: '$' | '0';
  #client: Redis | undefined;
  #control: Redis | undefined;
  #blockingId: number | undefined;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();
  #wake = new AbortController();
  #lastClaimMs = Number.NEGATIVE_INFINITY;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: GroupConsumerOptions<T>, settings: Settings, logger: Logger, metrics: BusMetrics) {
    this.#s = settings;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#redisUrl = options.redisUrl;
    this.#now = options.now ?? Date.now;
    this.#delivery = new EntryDelivery(options.codec, options.handler, metrics, logger);
    this.#streams = [...new Set(options.streams)];
    this.#recreateFrom = settings.startId;
  }

  get streams(): readonly string[] {
    return this.#streams;
  }

  start(): void {
    if (this.#state === 'stopped') throw new BusError('BUS_CLOSED', 'group consumer was stopped; create a new one');
    if (this.#state === 'running') return;
    this.#state = 'running';
    const role = 'group-consumer';
    this.#client = createBusClient({ redisUrl: this.#redisUrl, role, logger: this.#logger, metrics: this.#metrics });
    this.#control = createBusClient({ redisUrl: this.#redisUrl, role: `${role}-control`, logger: this.#logger, metrics: this.#metrics });
    const client = this.#client;
    client.on('ready', () => {
      this.#blockingId = undefined;
      client.client('ID').then((id) => (this.#blockingId = Number(id)), () => undefined);
    });
    this.#loop = this.#run(client);
  }

  setStreams(streams: readonly string[]): void {
    this.#streams = [...new Set(streams)];
    this.#wake.abort(); // ends an idle wait (no streams)
    this.#unblock(); // ends a blocking read
  }

  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    this.#stop.abort();
    this.#unblock();
    await this.#loop;
    await Promise.all([this.#client, this.#control].map((c) => (c ? closeClient(c) : undefined)));
  }

  /** Makes a blocked XREADGROUP return at once (CLIENT UNBLOCK from the control connection). */
  #unblock(): void {
    const control = this.#control;
    if (!control || control.status !== 'ready' || this.#blockingId === undefined) return;
    control.client('UNBLOCK', this.#blockingId).catch(() => undefined);
  }

  async #run(client: Redis): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      if (client.status !== 'ready') {
        await whenReady(client, 1_000, this.#stop.signal);
        continue;
      }
      try {
        await this.#step(client);
        failures = 0;
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        failures += 1;
        this.#onError(err, failures);
        await sleep(reconnectDelayMs(failures), this.#stop.signal);
      }
    }
  }

  #onError(err: unknown, failures: number): void {
    const text = errorText(err);
    if (text.startsWith('NOGROUP')) {
      // The stream or its group vanished (Redis restarted empty, or the key was deleted):
      // recreate from '0' so nothing written after the restart is skipped.
      this.#grouped.clear();
      this.#recreateFrom = '0';
      this.#logger.warn({ err: text }, 'consumer group missing; recreating');
      return;
    }
    if (failures === 1) this.#logger.warn({ err: text }, 'stream read failed; retrying with backoff');
  }

  async #step(client: Redis): Promise<void> {
    const streams = this.#streams;
    if (streams.length === 0) {
      this.#wake = new AbortController();
      await sleep(this.#s.blockMs, AbortSignal.any([this.#stop.signal, this.#wake.signal]));
      return;
    }
    await this.#ensureGroups(client, streams);
    if (this.#now() - this.#lastClaimMs >= this.#s.claimIntervalMs) {
      this.#lastClaimMs = this.#now();
      for (const stream of streams) await this.#claim(client, stream);
    }
    const { group, consumer, count, blockMs } = this.#s;
    const reply = await client.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...streams, ...streams.map(() => '>'));
    for (const [stream, entries] of streamsReply(reply)) await this.#process(client, stream, entries, false);
  }

  async #ensureGroups(client: Redis, streams: readonly string[]): Promise<void> {
    for (const stream of streams) {
      if (this.#grouped.has(stream)) continue;
      try {
        await client.xgroup('CREATE', stream, this.#s.group, this.#recreateFrom, 'MKSTREAM');
      } catch (err) {
        if (!errorText(err).startsWith('BUSYGROUP')) throw err;
      }
      this.#grouped.add(stream);
    }
  }

  async #process(client: Redis, stream: string, entries: readonly RawEntry[], reclaimed: boolean): Promise<void> {
    if (entries.length === 0) return;
    await this.#delivery.deliver(stream, entries, reclaimed);
    await client.xack(stream, this.#s.group, ...entries.map(([id]) => id));
  }

  /** Takes over entries pending longer than claimMinIdleMs (a dead consumer's), and handles them. */
  async #claim(client: Redis, stream: string): Promise<void> {
    const { group, consumer, claimMinIdleMs, count } = this.#s;
    let cursor = '0-0';
    for (let page = 0; page < CLAIM_PAGES_MAX; page++) {
      const reply = (await client.xautoclaim(stream, group, consumer, claimMinIdleMs, cursor, 'COUNT', count)) as [string, RawEntry[], string[]?];
      const [next, entries] = reply;
      if (entries.length > 0) {
        this.#metrics.reclaimed.inc({ kind: this.#delivery.kind }, entries.length);
        this.#logger.info({ stream, n: entries.length }, 'reclaimed pending entries');
        await this.#process(client, stream, entries, true);
      }
      if (next === '0-0') break;
      cursor = next;
    }
    await this.#forgetIdleConsumers(client, stream);
  }

  /**
   * Deletes consumers (other than this one) with nothing pending and idle past claimMinIdleMs, so
   * pod churn does not pile up names in the group. Harmless for a live one: XREADGROUP recreates it.
   */
  async #forgetIdleConsumers(client: Redis, stream: string): Promise<void> {
    const rows = (await client.xinfo('CONSUMERS', stream, this.#s.group)) as unknown[][];
    for (const row of rows) {
      const info = fieldsToObject(row);
      const name = info?.['name'];
      if (typeof name !== 'string' || name === this.#s.consumer) continue;
      if (Number(info?.['pending']) === 0 && Number(info?.['idle']) > this.#s.claimMinIdleMs) {
        await client.xgroup('DELCONSUMER', stream, this.#s.group, name);
      }
    }
  }
}

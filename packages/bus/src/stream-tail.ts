import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EntryDelivery } from './entry-handling.js';
import { BusError } from './errors.js';
import type { BusMetrics } from './metrics.js';
import { closeClient, createBusClient, reconnectDelayMs, whenReady } from './redis.js';
import { errorText, sleep } from './sleep.js';
import { compareStreamIds, streamsReply } from './stream-ids.js';

/**
 * Called on every (re)connection before reading: returns the id to read after. `lastId` is the last
 * id this tail saw (undefined on the first connection).
 */
export type Resync = (client: Redis, lastId: string | undefined) => Promise<string>;

export interface StreamTailOptions<T> {
  redisUrl: string;
  role: string;
  stream: string;
  delivery: EntryDelivery<T>;
  resync: Resync;
  blockMs: number;
  count: number;
  logger: Logger;
  metrics: BusMetrics;
}

/**
 * Follows one stream with plain XREAD BLOCK (no group, no acks): every reader sees every entry.
 * After each reconnection it calls `resync`, so a reader never waits forever for ids beyond a
 * Redis that restarted empty.
 */
export class StreamTail<T> {
  readonly #o: StreamTailOptions<T>;
  #client: Redis | undefined;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();
  #needResync = true;
  #lastId: string | undefined;
  #synced: Promise<void>;
  #markSynced: () => void = () => undefined;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: StreamTailOptions<T>) {
    this.#o = options;
    this.#synced = new Promise<void>((resolve) => (this.#markSynced = resolve));
  }

  start(): void {
    if (this.#state === 'stopped') throw new BusError('BUS_CLOSED', `${this.#o.role} was stopped; create a new one`);
    if (this.#state === 'running') return;
    this.#state = 'running';
    const { redisUrl, role, logger, metrics } = this.#o;
    const client = createBusClient({ redisUrl, role, logger, metrics });
    client.on('ready', () => (this.#needResync = true));
    this.#client = client;
    this.#loop = this.#run(client);
  }

  /** True once the first resync finished (false after `timeoutMs`). */
  async whenSynced(timeoutMs = 5_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([this.#synced.then(() => true), timeout]);
    clearTimeout(timer);
    return ok;
  }

  async stop(): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (!wasRunning) return;
    this.#stop.abort();
    this.#client?.disconnect(false); // XREAD is read-only: dropping the connection loses nothing
    await this.#loop;
    if (this.#client) await closeClient(this.#client);
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
        if (failures === 1) this.#o.logger.warn({ stream: this.#o.stream, err: errorText(err) }, 'stream tail failed; retrying with backoff');
        await sleep(reconnectDelayMs(failures), this.#stop.signal);
      }
    }
  }

  async #step(client: Redis): Promise<void> {
    if (this.#needResync) {
      this.#needResync = false;
      try {
        this.#lastId = await this.#o.resync(client, this.#lastId);
      } catch (err) {
        this.#needResync = true;
        throw err;
      }
      this.#markSynced();
    }
    const { stream, count, blockMs, delivery } = this.#o;
    const reply = await client.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, this.#lastId ?? '0-0');
    for (const [key, entries] of streamsReply(reply)) {
      await delivery.deliver(key, entries);
      const last = entries[entries.length - 1];
      if (last) this.#lastId = last[0];
    }
  }
}

/** The id of the newest entry of `stream`, or '0-0' when it is empty or missing. */
export async function lastStreamId(client: Redis, stream: string): Promise<string> {
  const newest = await client.xrevrange(stream, '+', '-', 'COUNT', 1);
  return newest[0]?.[0] ?? '0-0';
}

/**
 * Resync for a tail that only wants what is new: starts at the newest entry, and after a
 * reconnection continues where it was unless the stream went back (Redis restarted empty).
 */
export const resumeOrNewest: (stream: string) => Resync = (stream) => async (client, lastId) => {
  const newest = await lastStreamId(client, stream);
  if (lastId === undefined) return newest;
  return compareStreamIds(newest, lastId) < 0 ? '0-0' : lastId;
};

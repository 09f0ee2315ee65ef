import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusMetrics } from './metrics.js';
import { closeClient, whenReady } from './redis.js';

/** Adds the commands for one item to `batch` and returns how many it added. */
export type ItemWriter<T> = (batch: ChainableCommander, item: T) => number;

export interface BatcherOptions<T> {
  client: Redis;
  /** the `kind` label: stats, poke, decisions */
  kind: string;
  metrics: BusMetrics;
  logger: Logger;
  /** at most this many items wait for Redis; beyond it the oldest are dropped and counted */
  maxBuffered: number;
  /** a flush happens at most this long after the first buffered item */
  flushIntervalMs: number;
  /** items per round trip; a buffer this full flushes at once */
  maxBatch: number;
  write: ItemWriter<T>;
  /** coalesce: a newer item with the same key replaces a buffered one (decisions, pokes) */
  keyOf?: (item: T) => string;
  /** a batch that failed in flight goes back to the buffer (true) or is dropped and counted (false) */
  retryFailed: boolean;
  /** send each batch as MULTI/EXEC (all or nothing) instead of a plain pipeline */
  transaction: boolean;
}

/** A bounded buffer flushed to Redis through pipelines; `push` never blocks and never throws. */
export class Batcher<T> {
  readonly #o: BatcherOptions<T>;
  #buffer = new Map<string | number, T>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<void> | undefined;
  #waitingForReady = false;
  #closed = false;
  readonly #closing = new AbortController();
  #dropped = 0;

  constructor(options: BatcherOptions<T>) {
    this.#o = options;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get buffered(): number {
    return this.#buffer.size;
  }

  push(item: T): void {
    if (this.#closed) {
      this.#drop(1, 'closed');
      return;
    }
    const key = this.#o.keyOf ? this.#o.keyOf(item) : this.#seq++;
    this.#buffer.delete(key); // re-inserting moves a coalesced key to the end
    this.#buffer.set(key, item);
    this.#trim();
    this.#schedule();
  }

  /** Counts items refused before buffering (e.g. invalid) as dropped. */
  drop(n: number, reason: string): void {
    this.#drop(n, reason);
  }

  /** Sends everything buffered now, waiting up to `readyTimeoutMs` for Redis to be ready. Never rejects. */
  async flush(readyTimeoutMs = 1_000): Promise<void> {
    this.#clearTimer();
    if (this.#buffer.size > 0) await whenReady(this.#o.client, readyTimeoutMs, this.#closing.signal);
    let rounds = Math.ceil(this.#buffer.size / this.#o.maxBatch) + 1; // bounded even if batches keep failing
    while (rounds-- > 0 && this.#buffer.size > 0 && this.#o.client.status === 'ready') {
      await this.#flushOnce();
    }
    await this.#inflight;
    this.#schedule();
  }

  /** Flushes what it can within `timeoutMs`, drops and counts the rest, closes the connection. */
  async close(timeoutMs = 1_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush(timeoutMs), deadline]);
    clearTimeout(timer);
    this.#closing.abort();
    this.#clearTimer();
    if (this.#buffer.size > 0) this.#drop(this.#buffer.size, 'closed');
    this.#buffer.clear();
    await closeClient(this.#o.client);
  }

  #drop(n: number, reason: string): void {
    if (n <= 0) return;
    this.#dropped += n;
    this.#o.metrics.dropped.inc({ kind: this.#o.kind, reason }, n);
  }

  #trim(): void {
    let excess = this.#buffer.size - this.#o.maxBuffered;
    if (excess <= 0) return;
    this.#drop(excess, 'buffer_full');
    for (const key of this.#buffer.keys()) {
      if (excess-- <= 0) break;
      this.#buffer.delete(key);
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer || this.#inflight || this.#buffer.size === 0 || this.#closed) return;
    if (this.#o.client.status !== 'ready') {
      this.#awaitReady();
      return;
    }
    const delay = this.#buffer.size >= this.#o.maxBatch ? 0 : this.#o.flushIntervalMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flushOnce().then(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  #awaitReady(): void {
    if (this.#waitingForReady) return;
    this.#waitingForReady = true;
    this.#o.client.once('ready', () => {
      this.#waitingForReady = false;
      this.#schedule();
    });
  }

  /** One round trip with up to maxBatch items; serialised, never rejects. */
  async #flushOnce(): Promise<void> {
    while (this.#inflight) await this.#inflight;
    if (this.#buffer.size === 0 || this.#o.client.status !== 'ready') return;
    const items = this.#take(this.#o.maxBatch);
    this.#inflight = this.#send(items).finally(() => (this.#inflight = undefined));
    await this.#inflight;
  }

  #take(n: number): [string | number, T][] {
    const out: [string | number, T][] = [];
    for (const entry of this.#buffer) {
      if (out.length >= n) break;
      out.push(entry);
    }
    for (const [key] of out) this.#buffer.delete(key);
    return out;
  }

  async #send(items: [string | number, T][]): Promise<void> {
    const { client, write, kind, metrics } = this.#o;
    const batch = this.#o.transaction ? client.multi() : client.pipeline();
    const counts = items.map(([, item]) => write(batch, item));
    let results: [Error | null, unknown][];
    try {
      results = (await batch.exec()) ?? [];
    } catch (err) {
      this.#failed(items, err); // the connection failed: retried when allowed
      return;
    }
    let at = 0;
    let rejected = 0;
    let firstError: Error | undefined;
    for (const n of counts) {
      const mine = results.slice(at, at + n);
      const error = mine.length < n ? new Error('missing reply') : mine.find((r) => r[0] !== null)?.[0];
      if (error) {
        rejected += 1;
        firstError ??= error;
      }
      at += n;
    }
    metrics.published.inc({ kind }, items.length - rejected);
    if (firstError) {
      // Redis refused commands (e.g. WRONGTYPE): retrying cannot help.
      this.#o.logger.warn({ kind, n: rejected, err: firstError.message }, 'redis rejected entries');
      this.#drop(rejected, 'redis_error');
    }
  }

  #failed(items: [string | number, T][], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.#o.logger.debug({ kind: this.#o.kind, n: items.length, err: message }, 'batch did not reach redis');
    if (!this.#o.retryFailed || this.#closed) {
      this.#drop(items.length, 'redis_error');
      return;
    }
    const merged = new Map(items.filter(([key]) => !this.#buffer.has(key)));
    for (const [key, item] of this.#buffer) merged.set(key, item);
    this.#buffer = merged;
    this.#trim();
  }
}

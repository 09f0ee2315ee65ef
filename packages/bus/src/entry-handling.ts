import type { Logger } from 'pino';
import type { Codec } from './codec.js';
import { LogOnce } from './log-once.js';
import type { BusMetrics } from './metrics.js';
import type { RawEntry } from './stream-ids.js';

/** Where an entry came from, passed to handlers with the decoded value. */
export interface EntryContext {
  stream: string;
  id: string;
  /** true when the entry was taken over from another consumer's pending list (XAUTOCLAIM) */
  reclaimed: boolean;
}

export type EntryHandler<T> = (value: T, context: EntryContext) => void | Promise<void>;

/**
 * Decodes entries and hands the valid ones to `handler`, one at a time. Malformed ones are counted
 * (`kpa_bus_malformed_total{kind, reason}`) and logged once per reason; a throwing handler is counted
 * and logged once. Never throws: every entry given to `deliver` may be acknowledged afterwards.
 */
export class EntryDelivery<T> {
  readonly #codec: Codec<T>;
  readonly #handler: EntryHandler<T>;
  readonly #metrics: BusMetrics;
  readonly #once: LogOnce;

  constructor(codec: Codec<T>, handler: EntryHandler<T>, metrics: BusMetrics, logger: Logger) {
    this.#codec = codec;
    this.#handler = handler;
    this.#metrics = metrics;
    this.#once = new LogOnce(logger);
  }

  get kind(): string {
    return this.#codec.kind;
  }

  async deliver(stream: string, entries: readonly RawEntry[], reclaimed = false): Promise<void> {
    const kind = this.#codec.kind;
    for (const [id, fields] of entries) {
      if (fields === null) continue; // deleted (trimmed) while pending: nothing to deliver
      const decoded = this.#codec.decode(fields);
      if (!decoded.ok) {
        this.#metrics.malformed.inc({ kind, reason: decoded.reason });
        this.#once.warn(`${kind}:${decoded.reason}`, { stream, id, reason: decoded.reason, detail: decoded.detail }, 'malformed entry skipped');
        continue;
      }
      this.#metrics.consumed.inc({ kind });
      try {
        await this.#handler(decoded.value, { stream, id, reclaimed });
      } catch (err) {
        this.#metrics.handlerErrors.inc({ kind });
        this.#once.warn(`${kind}:handler`, { stream, id, err: err instanceof Error ? err.message : String(err) }, 'handler threw; entry acknowledged anyway');
      }
    }
  }

  /** Counts and logs a value that is not an entry at all (e.g. a garbage hash field). */
  malformed(where: string, reason: 'bad_shape', detail: string): void {
    this.#metrics.malformed.inc({ kind: this.#codec.kind, reason });
    this.#once.warn(`${this.#codec.kind}:${reason}`, { where, reason, detail }, 'malformed entry skipped');
  }
}

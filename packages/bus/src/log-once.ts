import type { Logger } from 'pino';

/** Logs the first occurrence of each key (e.g. `stats:unknown_version`) and stays quiet after. */
export class LogOnce {
  readonly #seen = new Set<string>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#logger.warn({ ...fields, once: key }, `${message} (logged once per kind)`);
  }
}

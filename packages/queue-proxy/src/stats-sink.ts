import type { Logger } from 'pino';
import type { StatRecord, StatsSink } from '@kpa-ts/bus';

/** Without REDIS_URL: every stat is only logged (debug) — the metrics endpoint still shows them. */
export function createLogStatsSink(logger: Logger): StatsSink {
  return {
    publish: (stat) => logger.debug({ stat }, 'stat'),
    close: async () => {},
  };
}

/** Keeps every stat in memory: for tests and embedding. */
export function createMemoryStatsSink(): StatsSink & { readonly stats: StatRecord[] } {
  const stats: StatRecord[] = [];
  return {
    stats,
    publish: (stat) => void stats.push(stat),
    close: async () => {},
  };
}

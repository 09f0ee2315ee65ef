/**
 * What the activator needs from the bus, as narrow interfaces (wired to @kpa-ts/bus in main.ts,
 * fakes or a real Redis in tests). None of them may block or throw on the request path.
 */
import type { DecisionRecord, PokeRecord, StatRecord } from './bus-types.js';

export interface StatsSink {
  /** Never blocks, never throws; drops (and counts) while Redis is away. */
  publish(stat: StatRecord): void;
}

export interface PokeSink {
  /** Never blocks, never throws; drops (and counts) while Redis is away. */
  poke(p: PokeRecord): void;
}

export interface DecisionFeed {
  /** Delivers the latest decision per revision first, then every new one, until stop(). */
  start(onDecision: (d: DecisionRecord) => void): Promise<void>;
  stop(): Promise<void>;
}

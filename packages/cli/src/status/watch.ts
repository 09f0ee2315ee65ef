// `kpa status --watch`: the bus's own decision watcher follows kpa:decisions (and reloads the hash on
// every reconnection); each decision updates the board, the output shows it. Ends when `signal` aborts.
import { busMetrics, createDecisionWatcher, type BusMetrics } from '@kpa-ts/bus';
import { Registry } from 'prom-client';
import { StatusBoard } from './board.js';
import type { StatusSource } from './render.js';
import type { StatusRow } from './rows.js';
import { jsonOutput, plainOutput, ttyOutput, type WatchCounters, type WatchOutput } from './watch-output.js';

export interface WatchOptions {
  redisUrl: string;
  prefix: string;
  namespace: string | undefined;
  json: boolean;
  /** how long to wait for the watcher's first load of the hash before counting from zero */
  timeoutMs: number;
  source: StatusSource;
}

export interface WatchEnv {
  write(text: string): void;
  now(): number;
  /** stdout is a terminal: redraw in place */
  tty: boolean;
  /** Ctrl-C: the watch ends, everything it opened is closed */
  signal: AbortSignal;
}

/** Counters redraws and counter lines are driven by. */
const TICK_MS = 1_000;
/** A burst of decisions is drawn once, at most this long after the first. */
const REDRAW_DELAY_MS = 100;

async function sumWhere(counter: BusMetrics['malformed'] | BusMetrics['reconnects'], label: string, value: string): Promise<number> {
  const { values } = await counter.get();
  return values.filter((v) => (v.labels as Record<string, unknown>)[label] === value).reduce((sum, v) => sum + v.value, 0);
}

/** What the watcher counted: malformed decisions and reconnects, minus a baseline taken after its first load. */
class Counters {
  readonly #metrics: BusMetrics;
  #skippedBase = 0;
  changes = 0;

  constructor(registry: Registry) {
    this.#metrics = busMetrics(registry);
  }

  /** The watcher's first load counts the malformed hash fields the snapshot already shows: not news. */
  async baseline(): Promise<void> {
    this.#skippedBase = await sumWhere(this.#metrics.malformed, 'kind', 'decisions');
  }

  async read(): Promise<WatchCounters> {
    const skipped = (await sumWhere(this.#metrics.malformed, 'kind', 'decisions')) - this.#skippedBase;
    const reconnects = await sumWhere(this.#metrics.reconnects, 'client', 'decision-watcher');
    return { changes: this.changes, skipped, reconnects };
  }
}

function outputFor(o: WatchOptions, env: WatchEnv, board: StatusBoard): WatchOutput {
  const options = { board, source: o.source, write: env.write };
  if (o.json) return jsonOutput(options);
  return env.tty ? ttyOutput(options) : plainOutput(options);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Follows decisions from `initial` (the snapshot already read) until `env.signal` aborts. */
export async function watchStatus(o: WatchOptions, initial: readonly StatusRow[], env: WatchEnv): Promise<void> {
  const board = new StatusBoard(initial, o.namespace);
  const output = outputFor(o, env, board);
  const registry = new Registry();
  const counters = new Counters(registry);
  let pending: NodeJS.Timeout | undefined;
  let started = false;
  const refresh = async (): Promise<void> => {
    pending = undefined;
    const read = await counters.read();
    if (!env.signal.aborted) output.tick(env.now(), read);
  };
  const requestRefresh = (): void => {
    pending ??= setTimeout(() => void refresh(), REDRAW_DELAY_MS);
  };
  const watcher = createDecisionWatcher({
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    registry,
    onDecision: (decision, context) => {
      if (!board.apply(decision)) return;
      if (!started) return; // caught up by the watcher's first load: part of the first screen
      counters.changes += 1;
      output.changed(decision, context.source, env.now());
      requestRefresh();
    },
  });
  watcher.start();
  // The first screen once the watcher has loaded the hash: from then on, every change is reported.
  const synced = await Promise.race([watcher.whenSynced(o.timeoutMs), aborted(env.signal).then(() => false)]);
  if (synced) await counters.baseline();
  output.start(env.now());
  started = true;
  const ticker = setInterval(() => void refresh(), TICK_MS);
  await aborted(env.signal);
  clearInterval(ticker);
  clearTimeout(pending);
  await watcher.stop();
}

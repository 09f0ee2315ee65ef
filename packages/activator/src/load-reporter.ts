import type { Clock, TimerHandle } from './clock.js';
import { ActivatorLoad } from './concurrency-stats.js';
import type { ActivatorMetrics } from './metrics.js';
import type { PokeSink, StatsSink } from './ports.js';
import { revisionKey } from './topology.js';

export interface LoadReporterOptions {
  clock: Clock;
  activatorName: string;
  stats: StatsSink | undefined;
  pokes: PokeSink | undefined;
  metrics: ActivatorMetrics;
  /** Period of the activator's own stats (Knative: 1 s). */
  intervalMs: number;
  /** At most one poke per revision per this many ms while requests wait at zero. */
  pokeIntervalMs: number;
}

function splitKey(key: string): { ns: string; rev: string } {
  const i = key.indexOf('/');
  return { ns: key.slice(0, i), rev: key.slice(i + 1) };
}

/**
 * The activator's side of the bus (kpa.md a.2): counts Proxy-mode requests per revision, pushes a
 * (1, 1) stat at once for the first request of a revision, reports a time-weighted average every
 * interval (src 'act', pod = the activator's name), and pokes the autoscaler for revisions at zero.
 * Publishing never blocks: the sinks drop while Redis is away.
 */
export class LoadReporter {
  readonly #o: LoadReporterOptions;
  readonly #load = new ActivatorLoad();
  readonly #lastPokeMs = new Map<string, number>();
  readonly #startMs: number;
  #timer: TimerHandle | undefined;

  constructor(o: LoadReporterOptions) {
    this.#o = o;
    this.#startMs = o.clock.now();
  }

  #uptime(nowMs: number): number {
    return Math.max(0, (nowMs - this.#startMs) / 1000);
  }

  begin(ns: string, rev: string): void {
    const now = this.#o.clock.now();
    const key = revisionKey(ns, rev);
    if (!this.#load.begin(key, now) || this.#o.stats === undefined) return;
    this.#o.stats.publish({ ns, rev, pod: this.#o.activatorName, ts: now, conc: 1, pconc: 0, reqs: 1, preqs: 0, uptime: this.#uptime(now), src: 'act' });
    this.#o.metrics.statsPublished.inc({ kind: 'first-request' });
    this.#load.markFirstReported(key);
  }

  end(ns: string, rev: string): void {
    this.#load.end(revisionKey(ns, rev), this.#o.clock.now());
  }

  /** Poke now unless this revision was poked less than pokeIntervalMs ago. */
  poke(ns: string, rev: string): void {
    const now = this.#o.clock.now();
    const key = revisionKey(ns, rev);
    const last = this.#lastPokeMs.get(key);
    if (last !== undefined && now - last < this.#o.pokeIntervalMs) return;
    this.#lastPokeMs.set(key, now);
    if (this.#o.pokes === undefined) {
      this.#o.metrics.pokes.inc({ result: 'disabled' });
      return;
    }
    this.#o.pokes.poke({ ns, rev, ts: now, activator: this.#o.activatorName });
    this.#o.metrics.pokes.inc({ result: 'sent' });
  }

  /** One periodic report for every revision with an entry. */
  tick(): void {
    const now = this.#o.clock.now();
    for (const r of this.#load.reportAll(now)) {
      if (this.#o.stats === undefined) continue;
      const { ns, rev } = splitKey(r.key);
      this.#o.stats.publish({ ns, rev, pod: this.#o.activatorName, ts: now, conc: r.conc, pconc: 0, reqs: r.reqs, preqs: 0, uptime: this.#uptime(now), src: 'act' });
      this.#o.metrics.statsPublished.inc({ kind: 'periodic' });
    }
    for (const [key, t] of this.#lastPokeMs) if (now - t >= this.#o.pokeIntervalMs) this.#lastPokeMs.delete(key);
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#o.clock.setInterval(() => this.tick(), this.#o.intervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#o.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

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
  /**
   * Reports are due this long before each multiple of intervalMs on the wall clock (default
   * min(20, intervalMs / 10)): see `nextReportDueMs`.
   */
  reportLeadMs?: number;
  /** At most one poke per revision per this many ms while requests wait at zero. */
  pokeIntervalMs: number;
}

function splitKey(key: string): { ns: string; rev: string } {
  const i = key.indexOf('/');
  return { ns: key.slice(0, i), rev: key.slice(i + 1) };
}

/**
 * The next report time after `nowMs`: `leadMs` before the next multiple of `intervalMs` on the
 * wall clock (1 s interval, 20 ms lead → at x.980 s). The autoscaler counts a stat in second
 * floor(ts / 1000) (ts = the end of its period), so a report must end where the second it is counted
 * in ends: one fired at a free-running phase (say x.235) counts 0.765 s of the previous second's
 * load in the next second, and the first report after a first request (the push of 1) lands a
 * second after it: the linear average of a burst at zero then reads (1 + burst) / 2 for 2 s.
 * E.g. interval 1000, lead 20: now 5 000 → 5 980; now 5 980 → 6 980.
 */
export function nextReportDueMs(nowMs: number, intervalMs: number, leadMs: number): number {
  return (Math.floor((nowMs + leadMs) / intervalMs) + 1) * intervalMs - leadMs;
}

/** A report due at `dueMs` is stamped no later than the end of that second (a late timer). */
export function reportTimestamp(nowMs: number, dueMs: number): number {
  return Math.min(nowMs, Math.floor(dueMs / 1000) * 1000 + 999);
}

/**
 * The activator's side of the bus (kpa.md a.2): counts Proxy-mode requests per revision, pushes a
 * (1, 1) stat at once for the first request of a revision, reports a time-weighted average every
 * interval (src 'act', pod = the activator's name) at the end of each wall-clock interval, and pokes
 * the autoscaler for revisions at zero. Publishing never blocks: the sinks drop while Redis is away.
 */
export class LoadReporter {
  readonly #o: LoadReporterOptions;
  readonly #load = new ActivatorLoad();
  readonly #lastPokeMs = new Map<string, number>();
  readonly #startMs: number;
  #timer: TimerHandle | undefined;
  #running = false;

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

  /** One periodic report for every revision with an entry, now (shutdown's last report). */
  tick(): void {
    const now = this.#o.clock.now();
    this.#report(now, now);
  }

  #report(now: number, ts: number): void {
    for (const r of this.#load.reportAll(now)) {
      if (this.#o.stats === undefined) continue;
      const { ns, rev } = splitKey(r.key);
      this.#o.stats.publish({ ns, rev, pod: this.#o.activatorName, ts, conc: r.conc, pconc: 0, reqs: r.reqs, preqs: 0, uptime: this.#uptime(now), src: 'act' });
      this.#o.metrics.statsPublished.inc({ kind: 'periodic' });
    }
    for (const [key, t] of this.#lastPokeMs) if (now - t >= this.#o.pokeIntervalMs) this.#lastPokeMs.delete(key);
  }

  /** Reports at every `nextReportDueMs`, each timer set from the clock again (no drift). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  #schedule(): void {
    const { clock, intervalMs } = this.#o;
    const lead = this.#o.reportLeadMs ?? Math.min(20, intervalMs / 10);
    const now = clock.now();
    const due = nextReportDueMs(now, intervalMs, lead);
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      const firedAt = clock.now();
      this.#report(firedAt, reportTimestamp(firedAt, due));
      this.#schedule();
    }, due - now);
    this.#timer.unref?.();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

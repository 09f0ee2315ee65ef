// Per-revision metric aggregation (kpa.md a.3, a.4, a.7) for PUSHED stats: every queue-proxy
// sends one stat per second, every activator one per revision per second. Activator stats are exact
// and go into the four windows (stable/panic × concurrency/rps) at once, at their second, as Knative
// records them on receipt. Queue-proxy stats are buffered per second; a second is committed once it
// is complete (every ready pod reported) or late, with the missing pods extrapolated like Knative's
// scraper extrapolates its sample (sum / reported × ready). See the README for the design.
import type { WindowSpec } from './types.js';
import { BucketWindow } from './bucket-window.js';

/** One stat from one queue-proxy (`qp`) or activator (`act`) for one revision and one second. */
export interface PodStat {
  pod: string;
  src: 'qp' | 'act';
  /** ms since the epoch at the end of the stat's 1 s period; it counts in second floor(tsMs / 1000). */
  tsMs: number;
  concurrency: number;
  proxiedConcurrency: number;
  requests: number;
  proxiedRequests: number;
  uptimeS?: number;
}

export type ScalingMetric = 'concurrency' | 'rps';

/** Windowed revision totals; undefined = no data (the stable window is empty): never scale on it. */
export interface WindowAverages {
  stableAvg: number | undefined;
  panicAvg: number | undefined;
}

export interface RevisionMetricsOptions {
  /** A second is committed, complete or not, once this long has passed since it ended. Default 1000. */
  lateAfterMs?: number;
  /**
   * Knative does not scrape a revision whose target burst capacity is -1 (the activator sees all
   * its traffic) and then reads an empty window as (0, 0) instead of "no data". Default false.
   */
  emptyWindowIsZero?: boolean;
}

export interface RevisionMetricsCounters {
  /** Stats accepted by record(). */
  stats: number;
  /** Pokes that recorded a waiting request (recordPoke() without one already owed by that activator). */
  pokes: number;
  /** Seconds committed into the windows. */
  seconds: number;
  /** Committed seconds in which fewer queue-proxies reported than pods were ready. */
  extrapolated: number;
  /** Second (or later) stat of one pod within one second: averaged with the first. */
  duplicates: number;
  /** Queue-proxy stats for a second that was already committed: dropped (it was extrapolated). */
  droppedLate: number;
}

export interface RevisionMetrics {
  record(stat: PodStat): void;
  /**
   * A poke from `activator` (a request waits there for a revision at zero) at `tsMs`: one request
   * is recorded at once, like Knative's first-request stat, and subtracted from that activator's
   * next stat (floored at 0), so the poke and the activator's own stats never count it twice.
   * At most one is owed per activator: a poke while one is owed records nothing.
   */
  recordPoke(activator: string, tsMs: number): void;
  /** Commits the seconds that are complete or late, then reads the windows at `nowMs`. */
  averages(nowMs: number, metric: ScalingMetric, readyPods: number): WindowAverages;
  /** New window lengths or algorithm (kpa.md a.5 resize); `nowMs` defaults to the latest time seen. */
  resize(windows: WindowSpec, nowMs?: number): void;
  setOptions(opts: RevisionMetricsOptions): void;
  /** tsMs of the newest stat recorded, undefined before the first. */
  readonly lastStatMs: number | undefined;
  counters(): RevisionMetricsCounters;
}

/** Buffered seconds: a ring of 8, enough for a 2 s tick plus late and early (clock skew) stats. */
const SLOTS = 8;
const DEFAULT_LATE_AFTER_MS = 1000;

/** The queue-proxy stats of one second not yet committed (or committed, kept to route late arrivals). */
interface SecondSlot {
  sec: number;
  open: boolean;
  qpConc: number;
  qpRps: number;
  qpPods: number;
}

/** A queue-proxy's newest second, to average its duplicates within a second. */
interface PodEntry {
  sec: number;
  n: number;
  conc: number;
  rps: number;
}

/** The four series of kpa.md a.4: two windows, each with a concurrency and an rps lane. */
interface Series {
  stable: BucketWindow;
  panic: BucketWindow;
}

const CONCURRENCY = 0;
const RPS = 1;

function makeSeries(w: WindowSpec): Series {
  return { stable: new BucketWindow(w.stableWindowMs, w.algorithm, 2), panic: new BucketWindow(w.panicWindowMs, w.algorithm, 2) };
}

function recordSeries(s: Series, tMs: number, conc: number, rps: number): void {
  s.stable.record2(tMs, conc, rps);
  s.panic.record2(tMs, conc, rps);
}

/**
 * Scratch list of the seconds to commit, shared by all revisions (the code is synchronous), with
 * an explicit count: `array.length = 0` is a runtime call in V8, visible at 10 000 revisions.
 */
const DUE = new Array<SecondSlot | undefined>(SLOTS).fill(undefined);

/** Inserts into the first `n` entries of `list`, kept sorted by second; returns the new count. */
function insertBySecond(list: Array<SecondSlot | undefined>, n: number, slot: SecondSlot): number {
  let i = n;
  while (i > 0 && list[i - 1]!.sec > slot.sec) {
    list[i] = list[i - 1];
    i--;
  }
  list[i] = slot;
  return n + 1;
}

function emptySlot(): SecondSlot {
  return { sec: Number.NEGATIVE_INFINITY, open: false, qpConc: 0, qpRps: 0, qpPods: 0 };
}

function openSlot(slot: SecondSlot, sec: number): void {
  slot.sec = sec;
  slot.open = true;
  slot.qpConc = slot.qpRps = slot.qpPods = 0;
}

export function createRevisionMetrics(windows: WindowSpec, opts: RevisionMetricsOptions = {}): RevisionMetrics {
  return new RevisionMetricsImpl(windows, opts);
}

class RevisionMetricsImpl implements RevisionMetrics {
  readonly #series: Series;
  /** Slot `sec mod 8` buffers second `sec`; created on first use. */
  readonly #slots: Array<SecondSlot | undefined> = new Array<SecondSlot | undefined>(SLOTS).fill(undefined);
  /** The open slots (at most 8), so a tick looks at those only. */
  readonly #open: SecondSlot[] = [];
  readonly #pods = new Map<string, PodEntry>();
  /** activator → second of the poke whose one request its next stat still owes (see recordPoke). */
  readonly #owed = new Map<string, number>();
  #lateAfterMs = DEFAULT_LATE_AFTER_MS;
  #emptyWindowIsZero = false;
  #lastReadyPods = 0;
  #prunedAtSec = Number.NEGATIVE_INFINITY;
  #latestMs = Number.NEGATIVE_INFINITY;
  /** -Infinity before the first stat (a number field: V8 keeps it unboxed). */
  #lastStatMs = Number.NEGATIVE_INFINITY;
  // Counters as plain fields: one object less to touch per revision and tick.
  #nStats = 0;
  #nPokes = 0;
  #nSeconds = 0;
  #nExtrapolated = 0;
  #nDuplicates = 0;
  #nDroppedLate = 0;

  constructor(windows: WindowSpec, opts: RevisionMetricsOptions) {
    this.#series = makeSeries(windows);
    this.setOptions(opts);
  }

  get lastStatMs(): number | undefined {
    return this.#lastStatMs === Number.NEGATIVE_INFINITY ? undefined : this.#lastStatMs;
  }

  counters(): RevisionMetricsCounters {
    return { stats: this.#nStats, pokes: this.#nPokes, seconds: this.#nSeconds, extrapolated: this.#nExtrapolated, duplicates: this.#nDuplicates, droppedLate: this.#nDroppedLate };
  }

  setOptions(opts: RevisionMetricsOptions): void {
    if (opts.lateAfterMs !== undefined) this.#lateAfterMs = opts.lateAfterMs;
    if (opts.emptyWindowIsZero !== undefined) this.#emptyWindowIsZero = opts.emptyWindowIsZero;
  }

  record(stat: PodStat): void {
    const sec = Math.floor(stat.tsMs / 1000);
    this.#nStats++;
    if (stat.tsMs > this.#lastStatMs) this.#lastStatMs = stat.tsMs;
    if (stat.tsMs > this.#latestMs) this.#latestMs = stat.tsMs;
    if (stat.src === 'act') {
      this.#recordActivator(stat.pod, sec, stat.concurrency - stat.proxiedConcurrency, stat.requests - stat.proxiedRequests);
      return;
    }
    const slot = this.#slotFor(sec);
    if (slot === undefined || !slot.open) {
      this.#nDroppedLate++; // its second was committed (extrapolated) without it
      return;
    }
    this.#addPodStat(slot, stat.pod, stat.concurrency - stat.proxiedConcurrency, stat.requests - stat.proxiedRequests);
  }

  recordPoke(activator: string, tsMs: number): void {
    if (this.#owed.has(activator)) return;
    const sec = Math.floor(tsMs / 1000);
    this.#owed.set(activator, sec);
    this.#nPokes++;
    if (tsMs > this.#latestMs) this.#latestMs = tsMs;
    recordSeries(this.#series, sec * 1000, 1, 1);
  }

  /**
   * An activator's stat is exact (nothing to extrapolate): into the windows at once, at its second,
   * as Knative records it on receipt (a write into an older second is a late write inside the
   * window). Waiting for the queue-proxies of that second would hide the activator's load — all of
   * a revision's load at zero — for up to 2 s. A poke it owes is subtracted first.
   */
  #recordActivator(pod: string, sec: number, conc: number, rps: number): void {
    if (this.#owed.delete(pod)) {
      conc = Math.max(0, conc - 1);
      rps = Math.max(0, rps - 1);
    }
    recordSeries(this.#series, sec * 1000, conc, rps);
  }

  /** The slot buffering `sec`: reused when it held an older second; undefined when it holds a newer one. */
  #slotFor(sec: number): SecondSlot | undefined {
    const i = ((sec % SLOTS) + SLOTS) % SLOTS;
    const slot = (this.#slots[i] ??= emptySlot());
    if (slot.sec === sec) return slot;
    if (slot.sec > sec) return undefined;
    if (slot.open) this.#commit(slot, this.#lastReadyPods); // 8 s old: long late
    openSlot(slot, sec);
    this.#open.push(slot);
    return slot;
  }

  #addPodStat(slot: SecondSlot, pod: string, conc: number, rps: number): void {
    const e = this.#pods.get(pod);
    if (e === undefined) {
      this.#pods.set(pod, { sec: slot.sec, n: 1, conc, rps });
    } else if (e.sec === slot.sec) {
      // Twice in one second (reporter jitter): the pod counts once, with the mean of its stats.
      this.#nDuplicates++;
      slot.qpConc -= e.conc / e.n;
      slot.qpRps -= e.rps / e.n;
      e.n++;
      e.conc += conc;
      e.rps += rps;
      slot.qpConc += e.conc / e.n;
      slot.qpRps += e.rps / e.n;
      return;
    } else if (e.sec < slot.sec) {
      e.sec = slot.sec;
      e.n = 1;
      e.conc = conc;
      e.rps = rps;
    }
    slot.qpConc += conc;
    slot.qpRps += rps;
    slot.qpPods++;
  }

  /**
   * Commits a second: the queue-proxy sum extrapolated to the ready pods (never scaled down when
   * more pods reported than are ready) into all four windows. E.g. 3 ready, 2 reported 4 + 6 →
   * 10 / 2 × 3 = 15 (an activator's 2 in that second was recorded on receipt: 17 in the bucket).
   */
  #commit(slot: SecondSlot, readyPods: number): void {
    slot.open = false;
    const open = this.#open;
    const at = open.indexOf(slot);
    open[at] = open[open.length - 1]!;
    open.pop();
    if (slot.qpPods === 0) return;
    const extrapolate = readyPods > slot.qpPods;
    if (extrapolate) this.#nExtrapolated++;
    const conc = extrapolate ? (slot.qpConc / slot.qpPods) * readyPods : slot.qpConc;
    const rps = extrapolate ? (slot.qpRps / slot.qpPods) * readyPods : slot.qpRps;
    this.#nSeconds++;
    recordSeries(this.#series, slot.sec * 1000, conc, rps);
  }

  /**
   * Commits, oldest first, every open second that is complete (each of the `readyPods` > 0 pods
   * reported) or late (ended lateAfterMs ago). With 0 ready pods nothing is complete: the stats of
   * pods still starting count once their second is late, not at the first read of that second
   * (which would drop the ones that arrive later in it).
   */
  #commitDue(nowMs: number, readyPods: number): void {
    const lastLateSec = Math.floor((nowMs - this.#lateAfterMs) / 1000) - 1;
    const open = this.#open;
    let n = 0;
    for (let i = 0; i < open.length; i++) {
      const slot = open[i]!;
      if (slot.sec <= lastLateSec || (readyPods > 0 && slot.qpPods >= readyPods)) n = insertBySecond(DUE, n, slot);
    }
    for (let i = 0; i < n; i++) {
      this.#commit(DUE[i]!, readyPods);
      DUE[i] = undefined;
    }
  }

  /**
   * Forgets pods that have not reported for the whole buffered span (pods come and go), and pokes
   * owed that long (that activator's stats never came: the poke's request stays counted); every 8 s.
   */
  #prunePods(nowMs: number): void {
    const nowSec = Math.floor(nowMs / 1000);
    if (nowSec - this.#prunedAtSec < SLOTS) return;
    this.#prunedAtSec = nowSec;
    const horizon = nowSec - SLOTS;
    this.#pods.forEach((e, pod, map) => {
      if (e.sec < horizon) map.delete(pod);
    });
    this.#owed.forEach((sec, activator, map) => {
      if (sec < horizon) map.delete(activator);
    });
  }

  averages(nowMs: number, metric: ScalingMetric, readyPods: number): WindowAverages {
    if (nowMs > this.#latestMs) this.#latestMs = nowMs;
    this.#lastReadyPods = readyPods;
    this.#commitDue(nowMs, readyPods);
    this.#prunePods(nowMs);
    const { stable, panic } = this.#series;
    if (stable.isEmpty(nowMs)) {
      return this.#emptyWindowIsZero ? { stableAvg: 0, panicAvg: 0 } : { stableAvg: undefined, panicAvg: undefined };
    }
    const lane = metric === 'rps' ? RPS : CONCURRENCY;
    return { stableAvg: stable.average(nowMs, lane), panicAvg: panic.average(nowMs, lane) };
  }

  resize(windows: WindowSpec, nowMs: number = this.#latestMs): void {
    this.#series.stable.resize(windows.stableWindowMs, nowMs, windows.algorithm);
    this.#series.panic.resize(windows.panicWindowMs, nowMs, windows.algorithm);
  }
}

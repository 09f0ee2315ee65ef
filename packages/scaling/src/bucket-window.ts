// A sliding window of 1-second buckets with Knative's averages (kpa.md a.5 linear, a.6 weighted
// exponential). Times are ms since the epoch; a bucket holds the SUM of what was recorded in its
// second. The window is a ring buffer: bucket of second s lives at slot s mod B. A window may hold
// several parallel series ("lanes", e.g. concurrency and rps) that share the time bookkeeping:
// each lane behaves exactly like a window of its own written at the same times.
import type { AggregationAlgorithm } from './types.js';
import { round6 } from './math.js';

/** Bucket width: Knative records stats per second. */
export const BUCKET_MS = 1000;
/** Go's zero `time.Time` for firstWrite/lastWrite: before any write, far in the past. */
const ZERO_TIME = Number.NEGATIVE_INFINITY;
/** The weights of the exponential average must add up to at least this much over the window. */
const WEIGHT_PRECISION = 0.9999;
/** Lower bound of alpha: long windows would otherwise degrade to (almost) a plain average. */
const MIN_ALPHA = 0.2;

/** Number of buckets for a window: `ceil(window / 1 s)`, e.g. 60 s → 60, 6.5 s → 7. */
export function bucketCount(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / BUCKET_MS));
}

/**
 * Smoothing coefficient of the weighted exponential average for `buckets` buckets:
 * `max(1 - (1 - 0.9999)^(1/B), 0.2)`. E.g. B = 60 → 0.1423…, floored to 0.2; B = 6 → 0.7846….
 */
export function smoothingCoefficient(buckets: number): number {
  return Math.max(1 - Math.pow(1 - WEIGHT_PRECISION, 1 / buckets), MIN_ALPHA);
}

function truncateToBucket(tMs: number): number {
  return Math.floor(tMs / BUCKET_MS) * BUCKET_MS;
}

function bucketIndex(tMs: number): number {
  return Math.floor(tMs / BUCKET_MS);
}

function slot(index: number, size: number): number {
  const r = index % size;
  return r < 0 ? r + size : r;
}

export class BucketWindow {
  /**
   * `size × lanes` bucket values, interleaved (bucket `slot` of lane `l` at `slot × lanes + l`),
   * then one running total per lane (at `size × lanes + l`): one array to touch, not two.
   */
  #buckets: Float64Array;
  #size: number;
  readonly #lanes: number;
  #windowMs: number;
  #algorithm: AggregationAlgorithm;
  #alpha: number;
  /** Truncated time of the first write since the window was last empty (ZERO_TIME: none). */
  #firstWriteMs = ZERO_TIME;
  /** Truncated time of the newest write (ZERO_TIME: none yet). */
  #lastWriteMs = ZERO_TIME;

  constructor(windowMs: number, algorithm: AggregationAlgorithm = 'linear', lanes = 1) {
    this.#windowMs = windowMs;
    this.#algorithm = algorithm;
    this.#lanes = lanes;
    this.#size = bucketCount(windowMs);
    this.#buckets = new Float64Array((this.#size + 1) * lanes);
    this.#alpha = smoothingCoefficient(this.#size);
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  get algorithm(): AggregationAlgorithm {
    return this.#algorithm;
  }

  /** Truncated time of the newest write, or undefined before the first one. */
  get lastWriteMs(): number | undefined {
    return this.#lastWriteMs === ZERO_TIME ? undefined : this.#lastWriteMs;
  }

  /**
   * Adds `value` to the bucket of `tMs`. A write more than a window older than the newest write
   * is ignored; a write after a whole window of silence starts the window afresh; the buckets
   * skipped since the newest write are zeroed (gaps count as zeros). `lane` picks the series.
   */
  record(tMs: number, value: number, lane = 0): void {
    const bt = truncateToBucket(tMs);
    if (!this.#accept(bt)) return;
    this.#buckets[slot(bucketIndex(bt), this.#size) * this.#lanes + lane]! += value;
    this.#buckets[this.#size * this.#lanes + lane]! += value;
  }

  /** Records lane 0 and lane 1 of a 2-lane window at once: the same as two record() calls. */
  record2(tMs: number, lane0: number, lane1: number): void {
    const bt = truncateToBucket(tMs);
    if (!this.#accept(bt)) return;
    const base = slot(bucketIndex(bt), this.#size) * this.#lanes;
    this.#buckets[base]! += lane0;
    this.#buckets[base + 1]! += lane1;
    const totals = this.#size * this.#lanes;
    this.#buckets[totals]! += lane0;
    this.#buckets[totals + 1]! += lane1;
  }

  /** Moves the window for a write in bucket `bt`; false when the write is too old to count. */
  #accept(bt: number): boolean {
    if (bt === this.#lastWriteMs) return true;
    if (!(bt + this.#windowMs > this.#lastWriteMs)) return false; // more than a window behind
    if (this.#firstWriteMs === ZERO_TIME || this.#firstWriteMs > bt) this.#firstWriteMs = bt;
    if (bt > this.#lastWriteMs) this.#advanceTo(bt);
    return true;
  }

  #advanceTo(bt: number): void {
    if (bt - this.#lastWriteMs >= this.#windowMs) {
      // A whole window of silence: start again, as on the very first write.
      this.#firstWriteMs = bt;
      this.#buckets.fill(0);
    } else {
      const lanes = this.#lanes;
      const b = this.#buckets;
      const totals = this.#size * lanes;
      const end = bucketIndex(bt);
      for (let i = bucketIndex(this.#lastWriteMs) + 1; i <= end; i++) {
        const base = slot(i, this.#size) * lanes;
        for (let l = 0; l < lanes; l++) {
          b[totals + l]! -= b[base + l]!;
          b[base + l] = 0;
        }
      }
    }
    this.#lastWriteMs = bt;
  }

  /** No write during the last window: `truncate(now) - lastWrite > window`. */
  isEmpty(nowMs: number): boolean {
    return truncateToBucket(nowMs) - this.#lastWriteMs > this.#windowMs;
  }

  /** The average of one lane at `nowMs` by the window's algorithm. */
  average(nowMs: number, lane = 0): number {
    return this.#algorithm === 'weighted-exponential' ? this.#weightedAverage(nowMs, lane) : this.#linearAverage(nowMs, lane);
  }

  /**
   * Knative's linear average, rounded to 6 decimals. It divides by the buckets that hold valid data:
   * only the seconds since firstWrite (a fresh window), minus the trailing seconds since lastWrite.
   * E.g. window 6 s, writes 6 at t=10 s and 12 at t=11 s: at 11 s → 18/2 = 9; at 13 s the two
   * silent seconds shorten the window to 4 buckets but only 2 hold data → still 18/2 = 9.
   */
  #linearAverage(nowMs: number, lane: number): number {
    const now = truncateToBucket(nowMs);
    const d = now - this.#lastWriteMs;
    const size = this.#size;
    const seen = (this.#lastWriteMs - this.#firstWriteMs) / BUCKET_MS + 1; // inclusive
    if (d <= 0) return round6(this.#buckets[this.#size * this.#lanes + lane]! / Math.min(seen, size));
    if (d >= this.#windowMs) return 0;
    const start = bucketIndex(this.#lastWriteMs);
    const end = bucketIndex(now);
    let total = this.#buckets[this.#size * this.#lanes + lane]!;
    for (let i = start + 1; i <= end; i++) total -= this.#buckets[slot(i, size) * this.#lanes + lane]!;
    return round6(total / Math.min(seen, size - (end - start)));
  }

  /**
   * Knative's weighted exponential average: newest bucket weight alpha, each older one × (1 - alpha);
   * trailing silent seconds consume weight. Not normalised, not rounded.
   * E.g. B = 6 (alpha 0.7846…), a single bucket 10 written now → 7.846…; 1 s later → 10 × alpha × (1 - alpha).
   */
  #weightedAverage(nowMs: number, lane: number): number {
    if (this.isEmpty(nowMs)) return 0;
    const now = truncateToBucket(nowMs);
    const size = this.#size;
    let m = this.#alpha;
    let n = size;
    if (now > this.#lastWriteMs) {
      const silent = (now - this.#lastWriteMs) / BUCKET_MS;
      m = m * Math.pow(1 - this.#alpha, silent);
      n -= silent;
    }
    const start = bucketIndex(this.#lastWriteMs);
    let result = 0;
    for (let i = 0; i < n; i++) {
      result += this.#buckets[slot(start - i, size) * this.#lanes + lane]! * m;
      m *= 1 - this.#alpha;
    }
    return result;
  }

  /**
   * Knative's ResizeWindow (its `time.Now()` is `nowMs` here). If data was written within the old
   * window, the newest min(old, new) buckets are kept and firstWrite becomes
   * `lastWrite - (oldBuckets - 1) s`; otherwise the window restarts empty. The algorithm may change
   * too (the buckets are the same for both).
   */
  resize(windowMs: number, nowMs: number, algorithm: AggregationAlgorithm = this.#algorithm): void {
    this.#algorithm = algorithm;
    if (windowMs === this.#windowMs) return;
    const size = bucketCount(windowMs);
    const lanes = this.#lanes;
    const next = new Float64Array((size + 1) * lanes);
    const oldSize = this.#size;
    if (truncateToBucket(nowMs) - this.#lastWriteMs <= this.#windowMs) {
      let index = bucketIndex(this.#lastWriteMs);
      for (let i = 0; i < Math.min(size, oldSize); i++, index--) {
        for (let l = 0; l < lanes; l++) {
          const v = this.#buckets[slot(index, oldSize) * lanes + l]!;
          next[slot(index, size) * lanes + l] = v;
          next[size * lanes + l]! += v;
        }
      }
      this.#firstWriteMs = this.#lastWriteMs - (oldSize - 1) * BUCKET_MS;
    } else {
      this.#firstWriteMs = ZERO_TIME;
    }
    this.#windowMs = windowMs;
    this.#size = size;
    this.#buckets = next;
    this.#alpha = smoothingCoefficient(size);
  }
}

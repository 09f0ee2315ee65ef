// The scale-down delay window (kpa.md d.7): the maximum value recorded during the last `duration`,
// in 2-second buckets, as a monotone (descending) deque, like Knative's max.TimeWindow.

/** Knative records the decider's desired count into 2 s buckets (one per autoscaler tick). */
export const MAX_WINDOW_GRANULARITY_MS = 2000;

interface Entry {
  index: number;
  value: number;
}

export class MaxTimeWindow {
  /** Ring buffer of at most `size` entries, indexes ascending and values strictly descending. */
  readonly #entries: Entry[];
  readonly #size: number;
  readonly #granularityS: number;
  #first = 0;
  #length = 0;

  /** `size = ceil(duration / 2 s)` buckets, e.g. a 5 s delay → 3 buckets (covers 6 s). */
  constructor(durationMs: number, granularityMs: number = MAX_WINDOW_GRANULARITY_MS) {
    this.#size = Math.max(1, Math.ceil(durationMs / granularityMs));
    this.#granularityS = Math.max(1, Math.floor(granularityMs / 1000));
    this.#entries = Array.from({ length: this.#size }, () => ({ index: 0, value: 0 }));
  }

  /** Records `value` at `tMs`; the bucket index is `floor(unixSeconds / 2)`. */
  record(tMs: number, value: number): void {
    this.recordIndex(Math.floor(Math.floor(tMs / 1000) / this.#granularityS), value);
  }

  /** Records for a monotonically increasing bucket index. */
  recordIndex(index: number, value: number): void {
    let v = value;
    // 1. Drop smaller-or-equal values from the back: the new one is larger and more recent.
    while (this.#length > 0 && !(v < this.#at(this.#length - 1).value)) this.#length--;
    // 2. Drop entries that fell out of the window from the front.
    while (this.#length > 0 && index - this.#at(0).index >= this.#size) {
      this.#length--;
      this.#first = (this.#first + 1) % this.#size;
    }
    // 2b. Same bucket as the newest entry: keep the larger value in one entry.
    if (this.#length > 0) {
      const last = this.#at(this.#length - 1);
      if (last.index === index) {
        if (last.value > v) v = last.value;
        this.#length--;
      }
    }
    // 3. Append (it is the smallest value now, so the order holds).
    const e = this.#at(this.#length);
    e.index = index;
    e.value = v;
    this.#length++;
  }

  /** The maximum over the window (0 before any record). */
  current(): number {
    return this.#length > 0 ? this.#at(0).value : 0;
  }

  #at(i: number): Entry {
    return this.#entries[(this.#first + i) % this.#size]!;
  }
}

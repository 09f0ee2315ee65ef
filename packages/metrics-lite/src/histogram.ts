/** One value as prom-client's Registry reads it from a metric's `get()`. */
export interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  /** `<name>_bucket`, `_sum`, `_count` for histograms; the metric's own name when absent */
  metricName?: string;
}

export type SeriesLabels = Readonly<Record<string, string>>;

/**
 * One Prometheus histogram series: observations counted into `le` buckets, their sum and count.
 * `observe` is a short scan and three writes; the cumulative buckets are built at scrape time.
 * Values are not validated (a NaN lands in `+Inf` and makes the sum NaN): callers pass durations.
 */
export class HistogramSeries {
  readonly labels: SeriesLabels;
  readonly #bounds: readonly number[];
  /** [i] counts values in (bounds[i-1], bounds[i]] (Prometheus buckets are `le`); the last one is +Inf */
  readonly #buckets: Float64Array;
  #sum = 0;
  #count = 0;

  /** `bounds`: the `le` upper bounds, ascending; `labels`: the series' labels. */
  constructor(bounds: readonly number[], labels: SeriesLabels) {
    this.#bounds = bounds;
    this.labels = labels;
    this.#buckets = new Float64Array(bounds.length + 1);
  }

  get count(): number {
    return this.#count;
  }

  get sum(): number {
    return this.#sum;
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.#buckets[i] as number) += 1;
    this.#sum += value;
    this.#count += 1;
  }

  /** Appends `<name>_bucket` (cumulative, `le` first, `+Inf` last), `_sum` and `_count` as prom-client's Histogram does. */
  collect(name: string, out: MetricValue[]): void {
    const bucket = `${name}_bucket`;
    let acc = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      acc += this.#buckets[i] as number;
      out.push({ metricName: bucket, labels: { le: this.#bounds[i] as number, ...this.labels }, value: acc });
    }
    out.push({ metricName: bucket, labels: { le: '+Inf', ...this.labels }, value: this.#count });
    out.push({ metricName: `${name}_sum`, labels: { ...this.labels }, value: this.#sum });
    out.push({ metricName: `${name}_count`, labels: { ...this.labels }, value: this.#count });
  }

  reset(): void {
    this.#buckets.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}

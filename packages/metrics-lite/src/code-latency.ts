import { HistogramSeries, type MetricValue, type SeriesLabels } from './histogram.js';

/** The labels a status code adds to the constant ones. */
export type CodeLabels = (code: number) => SeriesLabels;

/** Knative's queue-proxy labels: `response_code="503"`, `response_code_class="5xx"`. */
export const knativeCodeLabels: CodeLabels = (code) => ({ response_code: String(code), response_code_class: `${Math.floor(code / 100)}xx` });

/**
 * Request count and latency histogram per status code: one Map lookup (by the numeric code) and a
 * short bucket scan per request, turned into Prometheus series only when the registry is scraped.
 *
 * Why not prom-client's Counter/Histogram: a labelled child's `inc()` / `observe()` validates the
 * labels and hashes them into a string key on every call (~1 µs each). The exposition is the same
 * as prom-client's (pinned by test/code-latency.test.ts): `<name>_bucket{le=…}` cumulative,
 * `+Inf`, `_sum`, `_count`, and a counter from the same counts; series appear in the order their
 * codes were first seen, as prom-client's do.
 */
export class CodeLatency {
  readonly #bounds: readonly number[];
  readonly #base: SeriesLabels;
  readonly #codeLabels: CodeLabels;
  readonly #byCode = new Map<number, HistogramSeries>();

  /** `bounds` ascending (the histogram's `le`s); `base` the labels every series carries, then `codeLabels(code)`. */
  constructor(bounds: readonly number[], base: SeriesLabels, codeLabels: CodeLabels = knativeCodeLabels) {
    this.#bounds = bounds;
    this.#base = base;
    this.#codeLabels = codeLabels;
  }

  record(code: number, value: number): void {
    let s = this.#byCode.get(code);
    if (s === undefined) {
      s = new HistogramSeries(this.#bounds, { ...this.#base, ...this.#codeLabels(code) });
      this.#byCode.set(code, s);
    }
    s.observe(value);
  }

  /** Count of `code` so far (0 if never seen). */
  count(code: number): number {
    return this.#byCode.get(code)?.count ?? 0;
  }

  /** Histogram values as prom-client's Histogram exports them, appended to `out`. */
  histogramValues(name: string, out: MetricValue[] = []): MetricValue[] {
    for (const s of this.#byCode.values()) s.collect(name, out);
    return out;
  }

  /** Counter values (one per code), appended to `out`. */
  counterValues(out: MetricValue[] = []): MetricValue[] {
    for (const s of this.#byCode.values()) out.push({ labels: { ...s.labels }, value: s.count });
    return out;
  }

  reset(): void {
    this.#byCode.clear();
  }
}

import type { Metric, Registry } from 'prom-client';

/**
 * Request count and latency histogram per status code, recorded with a few array writes per
 * request and turned into Prometheus series only when the registry is scraped.
 *
 * Why not prom-client's Counter/Histogram: a labelled child's `inc()` / `observe()` validates the
 * labels and hashes them into a string key on every call (~1 µs each, two metrics per response and
 * two response kinds per request); here a request costs one Map lookup and a short bucket scan.
 * The exposition is the same as prom-client's: `<name>_bucket{le=…}` cumulative, `+Inf`, `_sum`,
 * `_count`, and the counter `<counterName>` from the same counts.
 */

/** The constant labels of every series, then response_code and response_code_class per code. */
export type SeriesLabels = Record<string, string>;

interface CodeSeries {
  labels: SeriesLabels;
  /** buckets[i] counts values ≤ bounds[i] (and > bounds[i-1]); buckets[bounds.length] is +Inf */
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What prom-client's Registry reads from a metric (the shape its own metrics produce). */
interface ScrapedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: MetricValue[];
}

export class CodeLatency {
  readonly #bounds: readonly number[];
  readonly #base: SeriesLabels;
  readonly #byCode = new Map<number, CodeSeries>();

  /** `bounds` ascending (the histogram's `le`s); `base` the labels every series carries. */
  constructor(bounds: readonly number[], base: SeriesLabels) {
    this.#bounds = bounds;
    this.#base = base;
  }

  record(code: number, value: number): void {
    let s = this.#byCode.get(code);
    if (s === undefined) s = this.#add(code);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (s.buckets[i] as number) += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Count of `code` so far (0 if never seen). */
  count(code: number): number {
    return this.#byCode.get(code)?.count ?? 0;
  }

  #add(code: number): CodeSeries {
    const labels = { ...this.#base, response_code: String(code), response_code_class: `${Math.floor(code / 100)}xx` };
    const s: CodeSeries = { labels, buckets: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
    this.#byCode.set(code, s);
    return s;
  }

  /** Histogram values as prom-client's Histogram exports them (le first, cumulative buckets). */
  histogramValues(name: string): MetricValue[] {
    const out: MetricValue[] = [];
    for (const s of this.#byCode.values()) {
      let acc = 0;
      this.#bounds.forEach((le, i) => {
        acc += s.buckets[i] as number;
        out.push({ metricName: `${name}_bucket`, labels: { le, ...s.labels }, value: acc });
      });
      out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
      out.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
      out.push({ metricName: `${name}_count`, labels: s.labels, value: s.count });
    }
    return out;
  }

  counterValues(): MetricValue[] {
    return [...this.#byCode.values()].map((s) => ({ labels: s.labels, value: s.count }));
  }

  reset(): void {
    this.#byCode.clear();
  }
}

/**
 * Registers `<prefix>_count` (counter) and `<prefix>_latencies` (histogram) on `registry`, both
 * read from `data` at scrape time. prom-client's Registry needs only `name`, `get()` and `reset()`
 * of a metric (`registerMetric`); its type lists the four built-in classes, hence the cast.
 */
export function registerCodeLatency(registry: Registry, data: CodeLatency, prefix: string, what: string): void {
  const metric = (name: string, help: string, type: ScrapedMetric['type'], values: () => MetricValue[]): void => {
    const m = {
      name,
      help,
      get: async (): Promise<ScrapedMetric> => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => data.reset(),
    };
    registry.registerMetric(m as unknown as Metric);
  };
  const latencies = `${prefix}_latencies`;
  metric(`${prefix}_count`, `The number of ${what}`, 'counter', () => data.counterValues());
  metric(latencies, `The response time in millisecond of ${what}`, 'histogram', () => data.histogramValues(latencies));
}

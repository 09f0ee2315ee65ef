import type { Metric, Registry } from 'prom-client';
import type { CodeLatency } from './code-latency.js';
import type { HistogramSeries, MetricValue } from './histogram.js';

/** A metric whose values are read only when the registry is scraped. */
export interface ScrapeMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** Append the current values to `out`. */
  collect(out: MetricValue[]): void;
  /** `registry.resetMetrics()`; nothing when absent. */
  reset?(): void;
}

/** One source, or a function giving every source at scrape time (e.g. one per revision). */
export type Sources<T> = T | (() => Iterable<T>);

function each<T extends object>(src: Sources<T>): Iterable<T> {
  return typeof src === 'function' ? (src as () => Iterable<T>)() : [src];
}

/**
 * Registers `m` on `registry`. prom-client's Registry needs only `name`, `get()` and `reset()` of a
 * metric (`registerMetric`, `metrics()`, `getMetricsAsJSON()`, `resetMetrics()`); its type lists
 * the four built-in classes, hence the cast. Throws, as prom-client does, when the name is taken.
 */
export function registerScrapeMetric(registry: Registry, m: ScrapeMetric): void {
  const { name, help, type } = m;
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => {
      const values: MetricValue[] = [];
      m.collect(values);
      return { name, help, type, aggregator: 'sum', values };
    },
    reset: () => m.reset?.(),
  };
  registry.registerMetric(metric as unknown as Metric);
}

/** Help texts: Knative's ("The number of <what>", "The response time in millisecond of <what>") from a string, or both given. */
export type CodeLatencyHelp = string | { count: string; latencies: string };

/** Registers `<prefix>_count` (counter) and `<prefix>_latencies` (histogram, milliseconds) read from `data` at scrape time. */
export function registerCodeLatency(registry: Registry, data: Sources<CodeLatency>, prefix: string, what: CodeLatencyHelp): void {
  const help = typeof what === 'string' ? { count: `The number of ${what}`, latencies: `The response time in millisecond of ${what}` } : what;
  const reset = (): void => {
    for (const d of each(data)) d.reset();
  };
  const latencies = `${prefix}_latencies`;
  registerScrapeMetric(registry, {
    name: `${prefix}_count`,
    help: help.count,
    type: 'counter',
    collect: (out) => {
      for (const d of each(data)) d.counterValues(out);
    },
    reset,
  });
  registerScrapeMetric(registry, {
    name: latencies,
    help: help.latencies,
    type: 'histogram',
    collect: (out) => {
      for (const d of each(data)) d.histogramValues(latencies, out);
    },
    reset,
  });
}

/**
 * Registers a histogram `name` whose series are read from `data` at scrape time. A series shows up
 * once it has an observation (and is gone again after a reset), as a labelled prom-client one does.
 */
export function registerHistogram(registry: Registry, name: string, help: string, data: Sources<HistogramSeries>): void {
  registerScrapeMetric(registry, {
    name,
    help,
    type: 'histogram',
    collect: (out) => {
      for (const s of each(data)) if (s.count > 0) s.collect(name, out);
    },
    reset: () => {
      for (const s of each(data)) s.reset();
    },
  });
}

import { Counter, Gauge, type Registry } from 'prom-client';
import type { StatRecord } from '@kpa-ts/bus';
import { CodeLatency, registerCodeLatency } from '@kpa-ts/metrics-lite';
import type { RequestStatsReport } from './request-stats.js';

export interface MetricsIdentity {
  namespace: string;
  revision: string;
  pod: string;
}

/** What the metrics read at scrape time (no hot-path gauge updates). */
export interface MetricsSources {
  breaker?: { readonly capacity: number; readonly inFlight: number; readonly waiting: number } | undefined;
  inFlight: () => number;
}

export interface QueueProxyMetrics {
  /** A response went out (probes excluded): Knative's revision_request_* */
  request(code: number, latencyMs: number): void;
  /** A response came back from the user container: Knative's revision_app_request_* */
  appRequest(code: number, latencyMs: number): void;
  breakerRejected(): void;
  /** The per-second stats, as Knative's queue_* gauges. */
  report(report: RequestStatsReport, stat: StatRecord): void;
}

/** Knative's queue-proxy latency buckets (ms). */
const LATENCY_BUCKETS_MS = [5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
const ID_LABELS = ['namespace_name', 'revision_name', 'pod_name'] as const;

type IdLabel = (typeof ID_LABELS)[number];

function idGauge(registry: Registry, name: string, help: string, collect?: { labels: Record<IdLabel, string>; read: () => number }): Gauge<IdLabel> {
  return new Gauge<IdLabel>({
    name,
    help,
    labelNames: ID_LABELS,
    registers: [registry],
    ...(collect ? { collect(this: Gauge<IdLabel>) { this.set(collect.labels, collect.read()); } } : {}),
  });
}

/** Registers the queue-proxy's metrics (names as Knative's queue-proxy where they overlap) on `registry`. */
export function createQueueProxyMetrics(registry: Registry, id: MetricsIdentity, sources: MetricsSources): QueueProxyMetrics {
  const labels: Record<IdLabel, string> = { namespace_name: id.namespace, revision_name: id.revision, pod_name: id.pod };
  // Per-request metrics: plain array writes on the hot path, Prometheus series built at scrape time.
  const requests = new CodeLatency(LATENCY_BUCKETS_MS, labels);
  const app = new CodeLatency(LATENCY_BUCKETS_MS, labels);
  registerCodeLatency(registry, requests, 'revision_request', 'requests received by the queue-proxy');
  registerCodeLatency(registry, app, 'revision_app_request', 'requests answered by the user container');
  const b = sources.breaker;
  const gauges = {
    avg: idGauge(registry, 'queue_average_concurrent_requests', 'Time-weighted average of requests in flight over the last second'),
    pavg: idGauge(registry, 'queue_average_proxied_concurrent_requests', 'The same, for requests proxied by the activator'),
    rps: idGauge(registry, 'queue_requests_per_second', 'Requests received in the last stats period, per second'),
    prps: idGauge(registry, 'queue_proxied_operations_per_second', 'Requests proxied by the activator in the last stats period, per second'),
    uptime: idGauge(registry, 'process_uptime', 'Seconds since the queue-proxy started'),
  };
  idGauge(registry, 'queue_requests_in_flight', 'Requests in the queue-proxy now (queued included)', { labels, read: sources.inFlight });
  idGauge(registry, 'revision_queue_depth', 'Requests waiting in the breaker queue', { labels, read: () => b?.waiting ?? 0 });
  idGauge(registry, 'queue_breaker_in_flight_requests', 'Requests holding a breaker slot (sent to the user container)', {
    labels,
    read: () => b?.inFlight ?? sources.inFlight(),
  });
  idGauge(registry, 'queue_breaker_capacity', 'Breaker slots (containerConcurrency; 0 = unlimited, no breaker)', { labels, read: () => b?.capacity ?? 0 });
  const rejections = new Counter({
    name: 'queue_breaker_rejections_total',
    help: 'Requests answered 503 because the breaker queue was full',
    labelNames: ID_LABELS,
    registers: [registry],
  }).labels(labels);
  rejections.inc(0); // show the series from the start
  const g = { avg: gauges.avg.labels(labels), pavg: gauges.pavg.labels(labels), rps: gauges.rps.labels(labels), prps: gauges.prps.labels(labels), uptime: gauges.uptime.labels(labels) };
  return {
    request: (code, latencyMs) => requests.record(code, latencyMs),
    appRequest: (code, latencyMs) => app.record(code, latencyMs),
    breakerRejected: () => rejections.inc(),
    report(report, stat) {
      const seconds = report.periodMs > 0 ? report.periodMs / 1000 : 1;
      g.avg.set(report.averageConcurrency);
      g.pavg.set(report.averageProxiedConcurrency);
      g.rps.set(report.requestCount / seconds);
      g.prps.set(report.proxiedRequestCount / seconds);
      g.uptime.set(stat.uptime);
    },
  };
}

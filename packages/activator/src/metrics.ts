import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The activator's Prometheus metrics, on a Registry passed in (Knative's names where they overlap). */
export interface ActivatorMetrics {
  requestCount: Counter<'namespace' | 'revision' | 'code'>;
  requestLatencies: Histogram<'namespace' | 'revision' | 'code'>;
  requestConcurrency: Gauge<'namespace' | 'revision'>;
  coldStartDuration: Histogram<'namespace' | 'revision'>;
  queueWait: Histogram<'namespace' | 'revision'>;
  queueDepth: Gauge<'namespace' | 'revision'>;
  readyPods: Gauge<'namespace' | 'revision'>;
  unroutable: Counter<'reason'>;
  retries: Counter<'namespace' | 'revision' | 'reason'>;
  pokes: Counter<'result'>;
  statsPublished: Counter<'kind'>;
  decisions: Counter<'result'>;
  /** Where the queue-depth and ready-pods gauges read their values at scrape time. */
  setSnapshotSource(fn: () => RevisionSnapshot[]): void;
}

export interface RevisionSnapshot {
  namespace: string;
  revision: string;
  queued: number;
  ready: number;
}

export function createActivatorMetrics(registry: Registry): ActivatorMetrics {
  const registers = [registry];
  let snapshot: () => RevisionSnapshot[] = () => [];
  const fill = (g: Gauge<'namespace' | 'revision'>, pick: (r: RevisionSnapshot) => number): void => {
    g.reset();
    for (const r of snapshot()) g.set({ namespace: r.namespace, revision: r.revision }, pick(r));
  };
  return {
    setSnapshotSource: (fn) => {
      snapshot = fn;
    },
    requestCount: new Counter({
      name: 'activator_request_count',
      help: 'Requests answered by the activator, by revision and HTTP status code',
      labelNames: ['namespace', 'revision', 'code'],
      registers,
    }),
    requestLatencies: new Histogram({
      name: 'activator_request_latencies',
      help: 'Time from request arrival to the end of the response, in milliseconds',
      labelNames: ['namespace', 'revision', 'code'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000],
      registers,
    }),
    requestConcurrency: new Gauge({
      name: 'activator_request_concurrency',
      help: 'Requests in the activator (queued or in flight to a pod), by revision',
      labelNames: ['namespace', 'revision'],
      registers,
    }),
    coldStartDuration: new Histogram({
      name: 'activator_cold_start_duration_seconds',
      help: 'From a request arriving at a revision with zero ready pods to the first response byte',
      labelNames: ['namespace', 'revision'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300],
      registers,
    }),
    queueWait: new Histogram({
      name: 'activator_queue_wait_seconds',
      help: 'Time a request waited in the revision queue for a pod slot',
      labelNames: ['namespace', 'revision'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'activator_queue_depth',
      help: 'Requests waiting in the revision queue',
      labelNames: ['namespace', 'revision'],
      registers,
      collect() {
        fill(this, (r) => r.queued);
      },
    }),
    readyPods: new Gauge({
      name: 'activator_ready_pods',
      help: 'Ready (routable) pods of the revision as the activator sees them',
      labelNames: ['namespace', 'revision'],
      registers,
      collect() {
        fill(this, (r) => r.ready);
      },
    }),
    unroutable: new Counter({
      name: 'activator_unroutable_requests_total',
      help: 'Requests that named no known revision (bad Host, unknown revision)',
      labelNames: ['reason'],
      registers,
    }),
    retries: new Counter({
      name: 'activator_retries_total',
      help: 'Requests retried on another pod after a connection failure',
      labelNames: ['namespace', 'revision', 'reason'],
      registers,
    }),
    pokes: new Counter({
      name: 'activator_pokes_total',
      help: 'Pokes for revisions at zero: sent or dropped (bus unavailable)',
      labelNames: ['result'],
      registers,
    }),
    statsPublished: new Counter({
      name: 'activator_stats_total',
      help: 'Activator stat records handed to the bus: periodic or first-request',
      labelNames: ['kind'],
      registers,
    }),
    decisions: new Counter({
      name: 'activator_decisions_total',
      help: 'Decisions received: applied, stale (older than the one held) or for revisions not known yet',
      labelNames: ['result'],
      registers,
    }),
  };
}

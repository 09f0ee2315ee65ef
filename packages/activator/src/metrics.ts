import { CodeLatency, HistogramSeries, registerCodeLatency, registerHistogram, registerScrapeMetric } from '@kpa-ts/metrics-lite';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Request latency buckets, in milliseconds. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];
export const COLD_START_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300];
export const QUEUE_WAIT_BUCKETS_S = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300];

/**
 * One revision's per-request metrics, looked up once per request and then written with plain
 * number updates (`@kpa-ts/metrics-lite`); the Prometheus series are built when /metrics is scraped.
 */
export class RevisionMeters {
  readonly namespace: string;
  readonly revision: string;
  /** Requests in the activator for this revision now (queued or in flight): activator_request_concurrency. */
  inFlight = 0;
  /** activator_request_count / activator_request_latencies (ms), per status code */
  readonly requests: CodeLatency;
  /** activator_queue_wait_seconds */
  readonly queueWait: HistogramSeries;
  /** activator_cold_start_duration_seconds */
  readonly coldStart: HistogramSeries;

  constructor(namespace: string, revision: string) {
    this.namespace = namespace;
    this.revision = revision;
    const labels = { namespace, revision };
    this.requests = new CodeLatency(LATENCY_BUCKETS_MS, labels, codeLabel);
    this.queueWait = new HistogramSeries(QUEUE_WAIT_BUCKETS_S, labels);
    this.coldStart = new HistogramSeries(COLD_START_BUCKETS_S, labels);
  }
}

const codeLabel = (code: number): { code: string } => ({ code: String(code) });

/** The activator's Prometheus metrics, on a Registry passed in (Knative's names where they overlap). */
export interface ActivatorMetrics {
  /** The per-request metrics of a revision (created on first use, kept for the process's life). */
  revision(namespace: string, revision: string): RevisionMeters;
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

/** RevisionMeters by namespace, then revision: two lookups with the strings routing produced, no key built. */
class MetersByRevision {
  readonly #byNs = new Map<string, Map<string, RevisionMeters>>();
  readonly all: RevisionMeters[] = [];

  get(namespace: string, revision: string): RevisionMeters {
    let revs = this.#byNs.get(namespace);
    if (revs === undefined) {
      revs = new Map();
      this.#byNs.set(namespace, revs);
    }
    let m = revs.get(revision);
    if (m === undefined) {
      m = new RevisionMeters(namespace, revision);
      revs.set(revision, m);
      this.all.push(m);
    }
    return m;
  }
}

function registerPerRequest(registry: Registry, meters: MetersByRevision): void {
  const all = (): RevisionMeters[] => meters.all;
  registerCodeLatency(registry, () => all().map((m) => m.requests), 'activator_request', {
    count: 'Requests answered by the activator, by revision and HTTP status code',
    latencies: 'Time from request arrival to the end of the response, in milliseconds',
  });
  registerScrapeMetric(registry, {
    name: 'activator_request_concurrency',
    help: 'Requests in the activator (queued or in flight to a pod), by revision',
    type: 'gauge',
    collect: (out) => {
      for (const m of all()) out.push({ labels: { namespace: m.namespace, revision: m.revision }, value: m.inFlight });
    },
  });
  registerHistogram(registry, 'activator_cold_start_duration_seconds', 'From a request arriving at a revision with zero ready pods to the first response byte', () => all().map((m) => m.coldStart));
  registerHistogram(registry, 'activator_queue_wait_seconds', 'Time a request waited in the revision queue for a pod slot', () => all().map((m) => m.queueWait));
}

export function createActivatorMetrics(registry: Registry): ActivatorMetrics {
  const registers = [registry];
  const meters = new MetersByRevision();
  registerPerRequest(registry, meters);
  let snapshot: () => RevisionSnapshot[] = () => [];
  const fill = (g: Gauge<'namespace' | 'revision'>, pick: (r: RevisionSnapshot) => number): void => {
    g.reset();
    for (const r of snapshot()) g.set({ namespace: r.namespace, revision: r.revision }, pick(r));
  };
  new Gauge({
    name: 'activator_queue_depth',
    help: 'Requests waiting in the revision queue',
    labelNames: ['namespace', 'revision'],
    registers,
    collect() {
      fill(this, (r) => r.queued);
    },
  });
  new Gauge({
    name: 'activator_ready_pods',
    help: 'Ready (routable) pods of the revision as the activator sees them',
    labelNames: ['namespace', 'revision'],
    registers,
    collect() {
      fill(this, (r) => r.ready);
    },
  });
  return {
    revision: (namespace, revision) => meters.get(namespace, revision),
    setSnapshotSource: (fn) => {
      snapshot = fn;
    },
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

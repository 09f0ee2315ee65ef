import { describe, expect, it } from '@jest/globals';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createActivatorMetrics } from '@kpa-ts/activator';

// The per-request metrics as they were defined with prom-client before they moved to
// @kpa-ts/metrics-lite: the reference exposition, so scrapers and dashboards see no change.
function reference(registry: Registry): {
  count: Counter<'namespace' | 'revision' | 'code'>;
  latencies: Histogram<'namespace' | 'revision' | 'code'>;
  concurrency: Gauge<'namespace' | 'revision'>;
  coldStart: Histogram<'namespace' | 'revision'>;
  queueWait: Histogram<'namespace' | 'revision'>;
} {
  const registers = [registry];
  const labelNames = ['namespace', 'revision'] as const;
  return {
    count: new Counter({ name: 'activator_request_count', help: 'Requests answered by the activator, by revision and HTTP status code', labelNames: [...labelNames, 'code'], registers }),
    latencies: new Histogram({
      name: 'activator_request_latencies',
      help: 'Time from request arrival to the end of the response, in milliseconds',
      labelNames: [...labelNames, 'code'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000],
      registers,
    }),
    concurrency: new Gauge({ name: 'activator_request_concurrency', help: 'Requests in the activator (queued or in flight to a pod), by revision', labelNames, registers }),
    coldStart: new Histogram({
      name: 'activator_cold_start_duration_seconds',
      help: 'From a request arriving at a revision with zero ready pods to the first response byte',
      labelNames,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300],
      registers,
    }),
    queueWait: new Histogram({
      name: 'activator_queue_wait_seconds',
      help: 'Time a request waited in the revision queue for a pod slot',
      labelNames,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}

/** The per-request families only (the rest is prom-client's own in both). */
const perRequest = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => /activator_(request_count|request_latencies|request_concurrency|cold_start_duration_seconds|queue_wait_seconds)/.test(l))
    .sort();

// [namespace, revision, status, latency ms, queue wait s, cold start s | undefined]
const REQUESTS: Array<[string, string, number, number, number, number | undefined]> = [
  ['default', 'hello', 200, 0.7, 0.0001, undefined],
  ['default', 'hello', 200, 2, 0.0005, undefined],
  ['default', 'hello', 503, 120000, 120, undefined],
  ['other', 'cold', 200, 840, 0.8, 0.81],
  ['default', 'hello', 499, 5, 0.002, undefined],
];

describe('activator metrics (per-request ones recorded with @kpa-ts/metrics-lite)', () => {
  it('expose exactly what the prom-client definitions exposed for the same requests', async () => {
    const refRegistry = new Registry();
    const ref = reference(refRegistry);
    const registry = new Registry();
    const metrics = createActivatorMetrics(registry);
    for (const [namespace, revision, code, ms, waitS, coldS] of REQUESTS) {
      const labels = { namespace, revision };
      const m = metrics.revision(namespace, revision);
      m.inFlight += 1;
      ref.concurrency.inc(labels);
      m.queueWait.observe(waitS);
      ref.queueWait.observe(labels, waitS);
      if (coldS !== undefined) {
        m.coldStart.observe(coldS);
        ref.coldStart.observe(labels, coldS);
      }
      m.inFlight -= 1;
      ref.concurrency.dec(labels);
      m.requests.record(code, ms);
      ref.count.inc({ ...labels, code: String(code) });
      ref.latencies.observe({ ...labels, code: String(code) }, ms);
    }
    metrics.revision('default', 'hello').inFlight += 2; // two still in flight at scrape time
    ref.concurrency.inc({ namespace: 'default', revision: 'hello' }, 2);
    const ours = perRequest(await registry.metrics());
    expect(ours).toEqual(perRequest(await refRegistry.metrics()));
    expect(ours).toContain('activator_request_count{namespace="default",revision="hello",code="200"} 2');
    expect(ours).toContain('activator_request_concurrency{namespace="default",revision="hello"} 2');
  });

  it('hands out one RevisionMeters per revision', () => {
    const metrics = createActivatorMetrics(new Registry());
    expect(metrics.revision('a', 'r')).toBe(metrics.revision('a', 'r'));
    expect(metrics.revision('a', 'r')).not.toBe(metrics.revision('b', 'r'));
  });
});

import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { Breaker } from '../src/breaker.js';
import { createQueueProxyMetrics } from '../src/metrics.js';

const id = { namespace: 'ns', revision: 'rev', pod: 'pod' };
const labels = 'namespace_name="ns",revision_name="rev",pod_name="pod"';

describe('queue-proxy metrics', () => {
  it('counts requests per status code and reads breaker gauges at scrape time', async () => {
    const registry = new Registry();
    const breaker = new Breaker({ capacity: 2, queueDepth: 4 });
    let inFlight = 0;
    const m = createQueueProxyMetrics(registry, id, { breaker, inFlight: () => inFlight });
    m.request(200, 12);
    m.request(200, 3);
    m.request(503, 0.5);
    m.appRequest(200, 10);
    m.breakerRejected();
    breaker.enter(() => undefined);
    breaker.enter(() => undefined);
    breaker.enter(() => undefined);
    inFlight = 3;
    m.report({ averageConcurrency: 2.5, averageProxiedConcurrency: 1, requestCount: 30, proxiedRequestCount: 10, periodMs: 500 }, {
      ns: 'ns', rev: 'rev', pod: 'pod', ts: 1, conc: 2.5, pconc: 1, reqs: 30, preqs: 10, uptime: 7, src: 'qp',
    });
    const text = await registry.metrics();
    for (const line of [
      `revision_request_count{${labels},response_code="200",response_code_class="2xx"} 2`,
      `revision_request_count{${labels},response_code="503",response_code_class="5xx"} 1`,
      `revision_request_latencies_bucket{le="5",${labels},response_code="200",response_code_class="2xx"} 1`,
      `revision_request_latencies_sum{${labels},response_code="200",response_code_class="2xx"} 15`,
      `revision_app_request_count{${labels},response_code="200",response_code_class="2xx"} 1`,
      `queue_breaker_rejections_total{${labels}} 1`,
      `queue_breaker_capacity{${labels}} 2`,
      `queue_breaker_in_flight_requests{${labels}} 2`,
      `revision_queue_depth{${labels}} 1`,
      `queue_requests_in_flight{${labels}} 3`,
      `queue_average_concurrent_requests{${labels}} 2.5`,
      `queue_average_proxied_concurrent_requests{${labels}} 1`,
      `queue_requests_per_second{${labels}} 60`,
      `queue_proxied_operations_per_second{${labels}} 20`,
      `process_uptime{${labels}} 7`,
    ]) {
      expect(text).toContain(line);
    }
  });

  it('without a breaker: capacity 0, in-flight from the request count', async () => {
    const registry = new Registry();
    createQueueProxyMetrics(registry, id, { breaker: undefined, inFlight: () => 5 });
    const text = await registry.metrics();
    expect(text).toContain(`queue_breaker_capacity{${labels}} 0`);
    expect(text).toContain(`queue_breaker_in_flight_requests{${labels}} 5`);
    expect(text).toContain(`revision_queue_depth{${labels}} 0`);
    expect(text).toContain(`queue_breaker_rejections_total{${labels}} 0`);
  });
});

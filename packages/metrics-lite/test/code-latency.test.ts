import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram, Registry } from 'prom-client';
import { CodeLatency, registerCodeLatency } from '@kpa-ts/metrics-lite';

const BOUNDS = [5, 10, 20, 40, 100, 1000];
const BASE = { namespace_name: 'ns', revision_name: 'rev', pod_name: 'pod' };
const LABELS = ['namespace_name', 'revision_name', 'pod_name', 'response_code', 'response_code_class'] as const;

// Boundary values on purpose: Prometheus buckets are `le` (≤), so 5 belongs to le=5, 5.0001 to le=10.
const OBSERVATIONS: Array<[number, number]> = [
  [200, 0.2], [200, 5], [200, 5.0001], [200, 12], [200, 40], [200, 999], [200, 5000],
  [503, 0], [503, 1000], [502, 33.5], [200, 3],
];

/** The same observations through prom-client's own Counter + Histogram: the reference exposition. */
async function reference(): Promise<string> {
  const registry = new Registry();
  const count = new Counter({ name: 'x_count', help: 'The number of things', labelNames: LABELS, registers: [registry] });
  const latency = new Histogram({ name: 'x_latencies', help: 'The response time in millisecond of things', labelNames: LABELS, buckets: BOUNDS, registers: [registry] });
  for (const [code, ms] of OBSERVATIONS) {
    const labels = { ...BASE, response_code: String(code), response_code_class: `${Math.floor(code / 100)}xx` };
    count.inc(labels);
    latency.observe(labels, ms);
  }
  return registry.metrics();
}

async function ours(): Promise<{ text: string; data: CodeLatency; registry: Registry }> {
  const registry = new Registry();
  const data = new CodeLatency(BOUNDS, BASE);
  registerCodeLatency(registry, data, 'x', 'things');
  for (const [code, ms] of OBSERVATIONS) data.record(code, ms);
  return { text: await registry.metrics(), data, registry };
}

/** Series lines, order-independent (prom-client orders children by first observation, so do we). */
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();

describe('CodeLatency (per-code counter + histogram read at scrape time)', () => {
  it('exposes exactly what prom-client Counter + Histogram expose for the same observations', async () => {
    const { text } = await ours();
    expect(lines(text)).toEqual(lines(await reference()));
  });

  it('counts per code and resets with the registry', async () => {
    const { data, registry } = await ours();
    expect(data.count(200)).toBe(8);
    expect(data.count(503)).toBe(2);
    expect(data.count(404)).toBe(0);
    registry.resetMetrics();
    expect(data.count(200)).toBe(0);
    expect(await registry.metrics()).not.toContain('x_count{');
  });

  it('appears in the registry JSON like a built-in metric', async () => {
    const { registry } = await ours();
    const json = await registry.getMetricsAsJSON();
    const hist = json.find((m) => m.name === 'x_latencies');
    expect(hist?.type).toBe('histogram');
    expect(hist?.values.find((v) => (v as { metricName?: string }).metricName === 'x_latencies_count' && v.labels['response_code'] === '200')?.value).toBe(8);
  });
});

// The activator's shape: one CodeLatency per revision, a plain `code` label, all read through one metric pair.
describe('CodeLatency with custom code labels, several sources per metric', () => {
  const REVS = [{ namespace: 'a', revision: 'one' }, { namespace: 'b', revision: 'two' }];
  const OBS: Array<[number, number, number]> = [[0, 200, 3], [1, 200, 0.5], [0, 503, 12], [1, 404, 9999], [0, 200, 20]];
  const NAMES = ['namespace', 'revision', 'code'] as const;

  it('exposes what one prom-client Counter + Histogram labelled by namespace, revision, code expose', async () => {
    const refReg = new Registry();
    const count = new Counter({ name: 'y_count', help: 'The number of things', labelNames: NAMES, registers: [refReg] });
    const latency = new Histogram({ name: 'y_latencies', help: 'The response time in millisecond of things', labelNames: NAMES, buckets: BOUNDS, registers: [refReg] });
    const reg = new Registry();
    const data = REVS.map((r) => new CodeLatency(BOUNDS, r, (code) => ({ code: String(code) })));
    registerCodeLatency(reg, () => data, 'y', 'things');
    for (const [i, code, ms] of OBS) {
      const labels = { ...REVS[i], code: String(code) };
      count.inc(labels);
      latency.observe(labels, ms);
      data[i]?.record(code, ms);
    }
    expect(lines(await reg.metrics())).toEqual(lines(await refReg.metrics()));
    expect(await reg.metrics()).toContain('y_count{namespace="a",revision="one",code="200"} 2');
  });

  it('reads the sources anew at every scrape (a revision added later shows up)', async () => {
    const reg = new Registry();
    const data: CodeLatency[] = [];
    registerCodeLatency(reg, () => data, 'z', 'things');
    expect(await reg.metrics()).not.toContain('z_count{');
    data.push(new CodeLatency(BOUNDS, { namespace: 'n', revision: 'r' }, (code) => ({ code: String(code) })));
    data[0]?.record(200, 1);
    expect(await reg.metrics()).toContain('z_count{namespace="n",revision="r",code="200"} 1');
  });

  it('refuses a second metric with a taken name, as prom-client does', () => {
    const reg = new Registry();
    registerCodeLatency(reg, new CodeLatency(BOUNDS, {}), 'dup', 'things');
    expect(() => registerCodeLatency(reg, new CodeLatency(BOUNDS, {}), 'dup', 'things')).toThrow();
  });
});

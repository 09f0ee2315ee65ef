import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpGet, LoadRun, type Stack } from '@kpa-ts/cli';
import { deploy, report, RevisionRecorder, startE2eStack } from './support.js';

// The whole stack as processes (redis-server, runtime API + pods on 127.x, one autoscaler, the
// activator), short windows. Scale 0→N→0 for real under a shortened seed-003 burst.
let stack: Stack;
const recorders: RevisionRecorder[] = [];

async function recorder(revision: string, o: Parameters<typeof deploy>[2] = {}): Promise<{ rec: RevisionRecorder; host: string }> {
  const app = await deploy(stack, revision, o);
  const rec = new RevisionRecorder(stack, app);
  recorders.push(rec);
  await rec.start();
  return { rec, host: app.host };
}

beforeAll(async () => {
  stack = await startE2eStack('scale');
}, 60_000);

afterAll(async () => {
  await Promise.all(recorders.map((r) => r.stop()));
  await stack?.stop();
}, 60_000);

describe('e2e (local processes): scale 0→N→0', () => {
  it('a bad Host is a 404 naming what was asked; an unknown revision too', async () => {
    const bad = await httpGet(`${stack.activatorUrl}/`, { headers: { host: 'example.com' } });
    expect(bad.status).toBe(404);
    expect(bad.body).toContain('example.com');
    const unknown = await httpGet(`${stack.activatorUrl}/`, { headers: { host: 'nope.e2e.kpa.local' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('nope');
  });

  it('a request at zero is served once a pod is ready (cold start through the activator)', async () => {
    const { rec, host } = await recorder('cold', { latencyMs: 0 });
    expect(rec.atZero).toBe(true);
    const sentMs = Date.now();
    const res = await httpGet(`${stack.activatorUrl}/`, { headers: { host }, timeoutMs: 30_000 });
    const doneMs = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toContain('cold-');
    const readyAtMs = rec.pods.find((p) => p.readyAtMs !== undefined)?.readyAtMs ?? rec.points.find((p) => p.ready > 0)?.atMs ?? doneMs;
    const pod = rec.pods[0];
    const startedMs = pod?.createdAtMs ?? sentMs;
    report('cold start', {
      responseMs: doneMs - sentMs,
      scaleUpMs: startedMs - sentMs,
      podStartMs: readyAtMs - startedMs,
      addedAfterReadyMs: doneMs - readyAtMs,
    });
    expect(doneMs - sentMs).toBeLessThan(15_000);
    await stack.client.deleteRevision('e2e', 'cold');
  }, 60_000);

  it('0→N→0 with 100.00 % availability under a 150-client, 15 s burst; max-scale 3 honoured (the load wants 5)', async () => {
    const { rec, host } = await recorder('burst');
    expect(rec.atZero).toBe(true);
    const load = new LoadRun({ url: stack.activatorUrl, host, concurrency: 150, durationMs: 15_000 });
    const totals = await load.run();
    const endMs = Date.now();
    await rec.waitAtZero(60_000);
    const zeroAfterMs = Date.now() - endMs;
    report('burst', { ok: totals.ok, failed: totals.failed, failures: totals.failures, firstResponseMs: totals.firstResponseMs, maxReady: rec.max('ready'), maxReplicas: rec.max('replicas'), backAtZeroAfterLoadMs: zeroAfterMs });
    expect(totals.failed).toBe(0);
    expect(totals.ok).toBeGreaterThan(1000);
    expect(rec.max('ready')).toBeGreaterThanOrEqual(2); // N > 1: 150 clients need ceil(150 / 35) = 5 pods
    expect(rec.max('replicas')).toBeLessThanOrEqual(3); // max-scale
    expect(rec.max('ready')).toBeLessThanOrEqual(3);
    expect(rec.atZero).toBe(true);
  }, 120_000);
});

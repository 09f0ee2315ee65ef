import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpGet, LoadRun, parsePromText, pick, sum, type Stack } from '@kpa-ts/cli';
import { waitFor } from '@kpa-ts/testkit';
import { deploy, report, RevisionRecorder, startE2eStack } from './support.js';

// The stack with two autoscaler replicas (short shard leases): Proxy/Serve switching, a pod's
// queue-proxy killed under load, an autoscaler replica killed while it scales a revision.
let stack: Stack;
const recorders: RevisionRecorder[] = [];
const LEASE_TTL_MS = 2_000;

async function recorder(revision: string, o: Parameters<typeof deploy>[2] = {}): Promise<{ rec: RevisionRecorder; host: string }> {
  const app = await deploy(stack, revision, o);
  const rec = new RevisionRecorder(stack, app);
  recorders.push(rec);
  await rec.start();
  return { rec, host: app.host };
}

/** The admin URLs of the autoscaler replicas that hold the revision's series now. */
async function owners(revision: string): Promise<string[]> {
  const found: string[] = [];
  for (const url of stack.autoscalerAdminUrls) {
    const page = await httpGet(`${url}/metrics`, { timeoutMs: 2000 }).catch(() => undefined);
    if (page && pick(parsePromText(page.body), 'autoscaler_actual_pods', { namespace: 'e2e', revision }) !== undefined) found.push(url);
  }
  return found;
}

beforeAll(async () => {
  stack = await startE2eStack('faults', { autoscalers: 2, leaseTtlMs: LEASE_TTL_MS });
}, 60_000);

afterAll(async () => {
  await Promise.all(recorders.map((r) => r.stop()));
  await stack?.stop();
}, 60_000);

describe('e2e (local processes): modes and faults', () => {
  it('Proxy → Serve once a pod gives burst capacity (target-burst-capacity 0), back to Proxy at zero', async () => {
    const { rec, host } = await recorder('serve', { annotations: { 'autoscaling.knative.dev/target-burst-capacity': '0' }, latencyMs: 50 });
    const load = new LoadRun({ url: stack.activatorUrl, host, concurrency: 10, durationMs: 6_000 });
    const totals = await load.run();
    expect(totals.failed).toBe(0);
    await rec.waitAtZero(60_000);
    await waitFor(() => rec.mode === 'proxy', { timeoutMs: 10_000, what: 'proxy at zero' });
    report('modes', { modes: rec.modes.map((m) => `${m.mode}@${m.ready} ready`) });
    // kpa.md g: with TBC 0 the excess burst capacity is 0, so Serve as soon as the revision wants a
    // pod (the activator itself stays Proxy while no pod is ready); Proxy again when it wants 0,
    // before the last pod goes (the activator is back in the path for the next cold start).
    expect(rec.modes.map((m) => m.mode)).toEqual(['serve', 'proxy']);
    const firstUp = rec.points.findIndex((p) => p.pods > 0);
    const zeroAtMs = rec.points.slice(firstUp).find((p) => p.pods === 0 && p.replicas === 0)?.atMs ?? Infinity;
    expect(rec.modes[1]?.atMs).toBeLessThanOrEqual(zeroAtMs);
  }, 90_000);

  it("a killed pod's queue-proxy mid-load: its requests are retried on the other pod, none fails", async () => {
    const { rec, host } = await recorder('kill', { annotations: { 'autoscaling.knative.dev/min-scale': '2' }, latencyMs: 100 });
    // A new revision starts Activating, so min-scale brings it to 2 pods by itself; the request
    // only checks it serves before the load starts.
    expect((await httpGet(`${stack.activatorUrl}/`, { headers: { host }, timeoutMs: 30_000 })).status).toBe(200);
    await waitFor(() => rec.ready === 2, { timeoutMs: 30_000, what: 'two ready pods (min-scale 2)' });
    const load = new LoadRun({ url: stack.activatorUrl, host, concurrency: 40, durationMs: 8_000 });
    const running = load.run();
    await waitFor(() => load.totals.ok > 200, { timeoutMs: 10_000, what: 'load flowing' });
    const victim = rec.pods.find((p) => p.ready);
    expect(victim).toBeDefined();
    await stack.client.killPod(victim?.name ?? '', { container: 'queue-proxy' });
    const totals = await running;
    const retries = sum(parsePromText((await httpGet(`${stack.activatorAdminUrl}/metrics`)).body), 'activator_retries_total', { namespace: 'e2e', revision: 'kill' });
    report('queue-proxy killed', { victim: victim?.name, ok: totals.ok, failed: totals.failed, failures: totals.failures, activatorRetries: retries });
    expect(totals.failed).toBe(0);
    expect(retries).toBeGreaterThan(0); // requests were in flight on the killed pod, and went elsewhere
    await waitFor(() => rec.ready === 2 && !rec.pods.some((p) => p.name === victim?.name), { timeoutMs: 30_000, what: 'the pod replaced' });
    await stack.client.deleteRevision('e2e', 'kill');
  }, 90_000);

  it('an autoscaler replica killed while it scales a revision: the other takes over and keeps scaling (down to zero)', async () => {
    const { rec, host } = await recorder('ha');
    const [owner] = await waitFor(async () => {
      const o = await owners('ha');
      return o.length === 1 ? o : undefined;
    }, { timeoutMs: 20_000, what: 'one owner of e2e/ha' });
    const load = new LoadRun({ url: stack.activatorUrl, host, concurrency: 100, durationMs: 20_000 });
    const running = load.run();
    await waitFor(() => rec.ready >= 2, { timeoutMs: 30_000, what: 'scaled up to 2+ pods' });
    const index = stack.autoscalerAdminUrls.indexOf(owner as string);
    const killedAtMs = Date.now();
    stack.processes.autoscalers[index]?.signal('SIGKILL');
    const survivor = stack.autoscalerAdminUrls[1 - index] as string;
    await waitFor(async () => (await owners('ha')).includes(survivor), { timeoutMs: 5 * LEASE_TTL_MS + 10_000, what: 'the other replica owns e2e/ha' });
    const takeoverMs = Date.now() - killedAtMs;
    const totals = await running;
    const readyAtKill = rec.ready;
    await rec.waitAtZero(60_000);
    report('autoscaler killed', { takeoverMs, ok: totals.ok, failed: totals.failed, maxReady: rec.max('ready'), readyAfterLoad: readyAtKill });
    expect(totals.failed).toBe(0);
    expect(rec.atZero).toBe(true);
  }, 120_000);
});

// The real binary: `node packages/queue-proxy/dist/main.js` as a child process (needs a build:
// scripts/test builds; by hand `npx tsc -b packages/queue-proxy`).
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { freePort, waitFor } from '@kpa-ts/testkit';
import { HOST, MAIN_JS, httpRequest, inFlightCounter, spawnQueueProxy, startUpstream, type Child } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npx tsc -b packages/queue-proxy)`);
});

async function startChild(userPort: number, env: Record<string, string>): Promise<{ child: Child; port: number; metricsPort: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawnQueueProxy({
    SERVING_NAMESPACE: 'ns',
    SERVING_REVISION: 'rev',
    SERVING_POD: 'pod-1',
    SERVING_POD_IP: HOST,
    QUEUE_SERVING_PORT: String(port),
    METRICS_PORT: String(metricsPort),
    USER_PORT: String(userPort),
    LOG_LEVEL: 'info',
    ...env,
  });
  cleanups.push(async () => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });
  await waitFor(async () => (await httpRequest(port, { headers: { 'K-Network-Probe': 'queue' } })).status === 200, {
    timeoutMs: 10_000,
    what: `queue-proxy child ready (output: ${child.output().slice(0, 500)})`,
  });
  return { child, port, metricsPort };
}

interface Outcome {
  startedAt: number;
  startedAfterSigterm: boolean;
  status: number | string;
  connection: string | undefined;
}

describe('queue-proxy binary', () => {
  it('SIGTERM under load: unready at once, every request started before or during the drain is answered, exit 0', async () => {
    const HOLD_MS = 100;
    const counter = inFlightCounter();
    const up = await startUpstream((_req, res) => {
      counter.enter();
      setTimeout(() => {
        counter.leave();
        res.end('ok');
      }, HOLD_MS);
    });
    cleanups.push(() => up.close());
    const { child, port } = await startChild(up.port, { CONTAINER_CONCURRENCY: '8', QUEUE_DRAIN_GRACE_SECONDS: '2', QUEUE_DRAIN_TIMEOUT_SECONDS: '10' });

    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    cleanups.push(async () => agent.destroy());
    const outcomes: Outcome[] = [];
    let sigtermAt = 0;
    let sending = true;
    // 16 clients back to back (8 in flight at the user container, 8 queued in the breaker).
    const client = async (): Promise<void> => {
      while (sending) {
        const startedAt = Date.now();
        const startedAfterSigterm = sigtermAt !== 0;
        try {
          const r = await httpRequest(port, { agent });
          outcomes.push({ startedAt, startedAfterSigterm, status: r.status, connection: r.headers['connection'] });
        } catch (err) {
          outcomes.push({ startedAt, startedAfterSigterm, status: (err as NodeJS.ErrnoException).code ?? String(err), connection: undefined });
        }
      }
    };
    const clients = Array.from({ length: 16 }, () => client());
    await waitFor(() => outcomes.length >= 16 && counter.max === 8, { what: 'load running' });

    const exitedAt = child.exited.then((e) => ({ ...e, at: Date.now() }));
    sigtermAt = Date.now();
    child.proc.kill('SIGTERM');
    // Unready at once (K-Network-Probe answers 503) while still serving...
    let unreadyAt = Infinity;
    const unready = waitFor(
      async () => {
        const probedAt = Date.now();
        const ok = (await httpRequest(port, { headers: { 'K-Network-Probe': 'queue' } })).status === 503;
        if (ok) unreadyAt = probedAt;
        return ok;
      },
      { timeoutMs: 1500, what: 'unready' },
    );
    // ...and keep sending for the first 700 ms of the 2 s grace, then stop starting new requests.
    await waitFor(() => Date.now() - sigtermAt >= 700, { intervalMs: 10 });
    sending = false;
    await unready;
    await Promise.all(clients);

    const exit = await exitedAt;
    expect(exit.code).toBe(0);
    expect(exit.at - sigtermAt).toBeLessThan(10_000);
    const failed = outcomes.filter((o) => o.status !== 200);
    expect(failed).toEqual([]);
    const duringDrain = outcomes.filter((o) => o.startedAfterSigterm);
    expect(duringDrain.length).toBeGreaterThan(32);
    // Once the drain has begun (a probe saw 503), every response tells keep-alive clients to go away.
    const afterUnready = outcomes.filter((o) => o.startedAt >= unreadyAt);
    expect(afterUnready.length).toBeGreaterThan(16);
    expect(afterUnready.filter((o) => o.connection !== 'close')).toEqual([]);
    expect(child.output()).toContain('"msg":"drained"');
  }, 30_000);

  it('force-closes what is left at the drain deadline and still exits 0 in time', async () => {
    const up = await startUpstream(() => undefined); // never answers
    cleanups.push(() => up.close());
    const { child, port } = await startChild(up.port, { QUEUE_DRAIN_GRACE_SECONDS: '0.2', QUEUE_DRAIN_TIMEOUT_SECONDS: '2', REVISION_TIMEOUT_SECONDS: '60' });
    const stuck = httpRequest(port).catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
    await waitFor(async () => (await new Promise<number>((r) => up.server.getConnections((_e, n) => r(n)))) >= 1, { what: 'request at the app' });
    const t0 = Date.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    const elapsed = Date.now() - t0;
    expect(exit.code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(5000);
    expect(await stuck).toBe('ECONNRESET');
    expect(child.output()).toContain('drain deadline reached');
  }, 15_000);

  it.each([
    ['CONTAINER_CONCURRENCY', { CONTAINER_CONCURRENCY: 'many' }],
    ['USER_PORT', { USER_PORT: '99999' }],
    ['SERVING_READINESS_PROBE', { SERVING_READINESS_PROBE: '{"exec":{}}' }],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }],
  ])('invalid env → exit 1 with a message naming %s', async (variable, env) => {
    const child = spawnQueueProxy({ SERVING_NAMESPACE: 'ns', SERVING_REVISION: 'rev', ...env });
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(child.output()).toContain(variable);
    expect(child.output()).toContain('invalid environment');
  });

  it('missing SERVING_REVISION → exit 1 naming it', async () => {
    const child = spawnQueueProxy({ SERVING_NAMESPACE: 'ns' });
    expect((await child.exited).code).toBe(1);
    expect(child.output()).toContain('SERVING_REVISION');
  });
});

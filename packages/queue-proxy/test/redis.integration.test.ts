// The binary with REDIS_URL: stats land on the sharded stream through @kpa-ts/bus, and a Redis
// restart mid-run neither disturbs requests nor stops the stats for good. Real redis-server.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { shardOf, statCodec, statsStream, type StatRecord } from '@kpa-ts/bus';
import { freePort, startRedis, waitFor } from '@kpa-ts/testkit';
import { HOST, MAIN_JS, httpRequest, spawnQueueProxy, startUpstream } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npx tsc -b packages/queue-proxy)`);
});

const SHARDS = 4;

async function readStats(redis: Redis, stream: string): Promise<StatRecord[]> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.flatMap(([, fields]) => {
    const decoded = statCodec.decode(fields);
    return decoded.ok ? [decoded.value] : [];
  });
}

describe('queue-proxy binary with Redis', () => {
  it('publishes stats to kpa:stats:{shard}; a Redis restart mid-run leaves requests alone and stats resume', async () => {
    const server = await startRedis();
    cleanups.push(() => server.close());
    const prefix = `qp-test-${randomUUID()}:`;
    const stream = statsStream(shardOf('ns-r', 'rev-r', SHARDS), prefix);
    const reader = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    reader.on('error', () => undefined);
    cleanups.push(async () => void reader.disconnect());

    const up = await startUpstream((_req, res) => res.end('ok'));
    cleanups.push(() => up.close());
    const port = await freePort();
    const child = spawnQueueProxy({
      SERVING_NAMESPACE: 'ns-r',
      SERVING_REVISION: 'rev-r',
      SERVING_POD: 'pod-r',
      SERVING_POD_IP: HOST,
      QUEUE_SERVING_PORT: String(port),
      METRICS_PORT: String(await freePort()),
      USER_PORT: String(up.port),
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: prefix,
      STATS_SHARDS: String(SHARDS),
      QUEUE_DRAIN_GRACE_SECONDS: '0',
    });
    cleanups.push(async () => {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
      await child.exited;
    });
    await waitFor(async () => (await httpRequest(port, { headers: { 'K-Network-Probe': 'queue' } })).status === 200, { what: 'child ready' });

    // Light steady load (bounded: stops when the test says so, ≤ 50 req/s) with a count of failures.
    const failures: string[] = [];
    let sent = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        sent += 1;
        const r = await httpRequest(port, { headers: sent % 2 === 0 ? { 'K-Proxied-By': 'activator' } : {} }).catch((e: Error) => ({ status: e.message }));
        if (r.status !== 200) failures.push(String(r.status));
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    await waitFor(async () => (await readStats(reader, stream)).some((s) => s.reqs > 0), { what: 'stats with requests on the shard stream' });
    const before = await readStats(reader, stream);
    expect(before[0]).toMatchObject({ ns: 'ns-r', rev: 'rev-r', pod: 'pod-r', src: 'qp' });
    expect(before.some((s) => s.preqs > 0)).toBe(true);

    await server.stop({ hard: true });
    const sentAtStop = sent;
    await waitFor(() => sent >= sentAtStop + 40, { what: 'requests while Redis is down' });
    await server.restart(); // same port, empty data set
    const restartedAt = Date.now();
    await waitFor(async () => (await readStats(reader, stream)).some((s) => s.reqs > 0 && s.ts >= restartedAt - 1000), {
      timeoutMs: 15_000,
      what: 'stats resumed after the restart',
    });
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(sentAtStop + 40);

    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  }, 40_000);
});

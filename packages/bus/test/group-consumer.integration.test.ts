import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createStatsConsumer, createStatsPublisher, shardOf, statCodec, statsStream, STATS_GROUP_DEFAULT, type EntryContext, type StatRecord } from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { closer, counterValue, rawClient, stat, testPrefix } from './helpers.js';

let redis: RedisServer;
let raw: Redis;
const { track, closeAll } = closer();

beforeAll(async () => {
  redis = await startRedis();
  raw = rawClient(redis.url);
});
afterEach(() => closeAll());
afterAll(async () => {
  raw.disconnect();
  await redis.close();
});

async function pendingCount(stream: string, group = STATS_GROUP_DEFAULT): Promise<number> {
  const summary = (await raw.xpending(stream, group)) as [number, ...unknown[]];
  return summary[0];
}

function xaddStat(stream: string, s: StatRecord): Promise<string | null> {
  const encoded = statCodec.encode(s);
  if (!encoded.ok) throw new Error(encoded.detail);
  return raw.xadd(stream, '*', ...encoded.fields);
}

describe('stats consumer (consumer group)', () => {
  it('round trip: publisher → owned shards → handler, every entry acknowledged', async () => {
    const prefix = testPrefix();
    const got: StatRecord[] = [];
    const consumer = track(createStatsConsumer({ redisUrl: redis.url, prefix, consumer: 'as-0', shards: [0, 1, 2, 3], blockMs: 200, handler: (s) => void got.push(s) }));
    consumer.start();
    // the groups start at '$': wait until they exist before publishing
    await waitFor(async () => (await raw.exists(...[0, 1, 2, 3].map((s) => statsStream(s, prefix)))) === 4);
    const publisher = track(createStatsPublisher({ redisUrl: redis.url, prefix, shards: 4 }));
    const sent = Array.from({ length: 300 }, (_, i) => stat(i));
    for (const s of sent) publisher.publish(s);
    await waitFor(() => got.length === 300);
    expect([...got].sort((a, b) => a.ts - b.ts)).toEqual(sent);
    for (const shard of [0, 1, 2, 3]) {
      // per shard, in publish order
      expect(got.filter((s) => shardOf(s.ns, s.rev, 4) === shard)).toEqual(sent.filter((s) => shardOf(s.ns, s.rev, 4) === shard));
      await waitFor(async () => (await pendingCount(statsStream(shard, prefix))) === 0);
    }
  });

  it("reclaims a dead consumer's pending entries with XAUTOCLAIM", async () => {
    const prefix = testPrefix();
    const stream = statsStream(0, prefix);
    await raw.xgroup('CREATE', stream, STATS_GROUP_DEFAULT, '$', 'MKSTREAM');
    for (let i = 0; i < 25; i++) await xaddStat(stream, stat(i));
    // "dead" reads 25 entries and dies before acknowledging them
    await raw.xreadgroup('GROUP', STATS_GROUP_DEFAULT, 'dead', 'COUNT', 25, 'STREAMS', stream, '>');
    expect(await pendingCount(stream)).toBe(25);

    const registry = new Registry();
    const got: [number, EntryContext][] = [];
    const consumer = track(
      createStatsConsumer({ redisUrl: redis.url, prefix, registry, consumer: 'alive', shards: [0], blockMs: 100, claimMinIdleMs: 300, claimIntervalMs: 100, handler: (s, ctx) => void got.push([s.ts, ctx]) }),
    );
    const started = Date.now();
    consumer.start();
    await waitFor(() => got.length === 25, { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // not before they were idle long enough
    expect(got.every(([, ctx]) => ctx.reclaimed && ctx.stream === stream)).toBe(true);
    expect(got.map(([ts]) => ts)).toEqual(Array.from({ length: 25 }, (_, i) => stat(i).ts));
    await waitFor(async () => (await pendingCount(stream)) === 0);
    expect(await counterValue(registry, 'kpa_bus_reclaimed_total', { kind: 'stats' })).toBe(25);
    // the dead consumer, now with nothing pending, is removed from the group
    const names = async (): Promise<string[]> => ((await raw.xinfo('CONSUMERS', stream, STATS_GROUP_DEFAULT)) as string[][]).map((row) => row[1] ?? '');
    await waitFor(async () => !(await names()).includes('dead'), { timeoutMs: 5_000 });
    expect(await names()).toEqual(['alive']);
  });

  it('follows setShards: starts reading a shard when given it, stops when it is taken away', async () => {
    const prefix = testPrefix();
    const got: StatRecord[] = [];
    const consumer = track(createStatsConsumer({ redisUrl: redis.url, prefix, consumer: 'as-0', blockMs: 5_000, handler: (s) => void got.push(s) }));
    consumer.start();
    consumer.setShards([2]);
    // the 5 s block is interrupted (CLIENT UNBLOCK), so the new shard's group appears quickly
    await waitFor(async () => (await raw.exists(statsStream(2, prefix))) === 1, { timeoutMs: 2_000 });
    await xaddStat(statsStream(2, prefix), stat(1));
    await waitFor(() => got.length === 1);
    consumer.setShards([]);
    expect(consumer.shards).toEqual([]);
    await xaddStat(statsStream(2, prefix), stat(2));
    await waitFor(async () => (await raw.xlen(statsStream(2, prefix))) === 2);
    consumer.setShards([2]);
    await waitFor(() => got.length === 2); // the group kept its place: nothing lost across the gap
    expect(got.map((s) => s.pod)).toEqual(['pod-1', 'pod-2']);
  });

  it('a throwing handler is counted, its entry acknowledged, and the consumer goes on', async () => {
    const prefix = testPrefix();
    const stream = statsStream(0, prefix);
    const registry = new Registry();
    const got: string[] = [];
    const consumer = track(
      createStatsConsumer({
        redisUrl: redis.url, prefix, registry, consumer: 'as-0', shards: [0], blockMs: 100,
        handler: (s) => {
          if (s.pod === 'pod-1') throw new Error('boom');
          got.push(s.pod);
        },
      }),
    );
    consumer.start();
    await waitFor(async () => (await raw.exists(stream)) === 1);
    for (const i of [0, 1, 2]) await xaddStat(stream, stat(i));
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['pod-0', 'pod-2']);
    expect(await counterValue(registry, 'kpa_bus_handler_errors_total', { kind: 'stats' })).toBe(1);
    await waitFor(async () => (await pendingCount(stream)) === 0);
  });

  it('start() after stop() throws BUS_CLOSED', async () => {
    const consumer = createStatsConsumer({ redisUrl: redis.url, prefix: testPrefix(), consumer: 'as-0', handler: () => undefined });
    consumer.start();
    await consumer.stop();
    expect(() => consumer.start()).toThrow(expect.objectContaining({ code: 'BUS_CLOSED' }));
  });

  it('stop() returns promptly even while blocked in XREADGROUP', async () => {
    const prefix = testPrefix();
    const consumer = createStatsConsumer({ redisUrl: redis.url, prefix, consumer: 'as-0', shards: [0], blockMs: 30_000, handler: () => undefined });
    consumer.start();
    // blocked once its group exists and it shows up as a blocked client
    await waitFor(async () => (await raw.exists(statsStream(0, prefix))) === 1 && /cmd=xreadgroup/.test(await raw.client('LIST') as string));
    const t0 = Date.now();
    await consumer.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createStatsPublisher, shardOf, statCodec, statsStream, type StatRecord } from '@kpa-ts/bus';
import { freePort, startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { counterValue, rawClient, stat, testPrefix } from './helpers.js';

let redis: RedisServer;
let raw: Redis;
const open: { close(): Promise<void> }[] = [];
/** Closed after each test even when it fails, so jest can exit. */
function track<T extends { close(): Promise<void> }>(c: T): T {
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

beforeAll(async () => {
  redis = await startRedis();
  raw = rawClient(redis.url);
});

afterAll(async () => {
  raw.disconnect();
  await redis.close();
});

async function readShard(shard: number, prefix: string): Promise<StatRecord[]> {
  const entries = await raw.xrange(statsStream(shard, prefix), '-', '+');
  return entries.map(([, fields]) => {
    const decoded = statCodec.decode(fields);
    if (!decoded.ok) throw new Error(`malformed: ${decoded.detail}`);
    return decoded.value;
  });
}

describe('createStatsPublisher', () => {
  it('round trip: every stat lands on its revision shard, in order, decoded equal', async () => {
    const prefix = testPrefix();
    const registry = new Registry();
    const pub = track(createStatsPublisher({ redisUrl: redis.url, prefix, shards: 4, registry }));
    const sent = Array.from({ length: 200 }, (_, i) => stat(i));
    for (const s of sent) pub.publish(s);
    await waitFor(async () => (await counterValue(registry, 'kpa_bus_published_total', { kind: 'stats' })) === 200);
    const got = (await Promise.all([0, 1, 2, 3].map((s) => readShard(s, prefix)))).flat();
    expect(got).toHaveLength(200);
    for (const shard of [0, 1, 2, 3]) {
      const want = sent.filter((s) => shardOf(s.ns, s.rev, 4) === shard);
      expect(await readShard(shard, prefix)).toEqual(want);
    }
    expect(pub.dropped).toBe(0);
  });

  it('trims each shard with MAXLEN ~ (approximately maxLen entries, never unbounded)', async () => {
    const prefix = testPrefix();
    const pub = track(createStatsPublisher({ redisUrl: redis.url, prefix, shards: 1, maxLen: 100, maxBuffered: 5_000 }));
    for (let i = 0; i < 3_000; i++) pub.publish(stat(i));
    await pub.flush();
    const len = await raw.xlen(statsStream(0, prefix));
    // ~ trims whole macro nodes (100 entries each by default): at least maxLen stay, a node more at most.
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThanOrEqual(200);
    const last = await raw.xrevrange(statsStream(0, prefix), '+', '-', 'COUNT', 1);
    expect(statCodec.decode(last[0]?.[1])).toMatchObject({ ok: true, value: { pod: 'pod-2999' } });
  });

  it('drops and counts invalid stats without throwing', async () => {
    const registry = new Registry();
    const pub = track(createStatsPublisher({ redisUrl: redis.url, prefix: testPrefix(), registry }));
    expect(() => pub.publish(stat(1, { conc: Number.NaN }))).not.toThrow();
    expect(() => pub.publish(null as unknown as StatRecord)).not.toThrow();
    expect(pub.dropped).toBe(2);
    expect(await counterValue(registry, 'kpa_bus_dropped_total', { kind: 'stats', reason: 'invalid' })).toBe(2);
  });

  it('with no Redis at all: publish() never throws, the buffer stays bounded, close() is prompt', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const pub = track(createStatsPublisher({ redisUrl: nobody, maxBuffered: 100 }));
    for (let i = 0; i < 5_000; i++) expect(() => pub.publish(stat(i))).not.toThrow();
    expect(pub.buffered).toBe(100);
    expect(pub.dropped).toBe(4_900);
    const t0 = Date.now();
    await pub.close();
    expect(Date.now() - t0).toBeLessThan(1_500); // bounded by the 1 s close deadline
    expect(pub.dropped).toBe(5_000); // the 100 still buffered are counted as dropped on close
    expect(() => pub.publish(stat(1))).not.toThrow();
  });

  it('rejects bad options with BUS_INVALID_OPTIONS naming the option', () => {
    expect(() => createStatsPublisher({ redisUrl: redis.url, maxBuffered: 0 })).toThrow(expect.objectContaining({ code: 'BUS_INVALID_OPTIONS', message: expect.stringContaining('maxBuffered = 0') }));
    expect(() => createStatsPublisher({ redisUrl: 'http://x' })).toThrow(expect.objectContaining({ code: 'BUS_INVALID_OPTIONS' }));
  });
});

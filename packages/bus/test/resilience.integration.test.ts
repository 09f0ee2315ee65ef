import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import {
  createDecisionPublisher,
  createDecisionWatcher,
  createPokePublisher,
  createPokeReader,
  createShardLeaser,
  createStatsConsumer,
  createStatsPublisher,
  statsStream,
  type DecisionRecord,
  type PokeRecord,
  type ShardChange,
  type StatRecord,
} from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { closer, counterValue, rawClient, stat, testPrefix } from './helpers.js';

// One redis-server for this file, killed (SIGKILL) and restarted empty by the tests.
let redis: RedisServer;
let raw: Redis;
const { track, closeAll } = closer();

beforeAll(async () => {
  redis = await startRedis();
  raw = rawClient(redis.url);
});
let down = false;
afterEach(async () => {
  if (down) await redis.restart(); // running again for the next test
  down = false;
  await closeAll();
});
afterAll(async () => {
  raw.disconnect();
  await redis.close();
});

/** SIGKILL: no goodbye to clients, the data set is lost. */
async function kill(): Promise<void> {
  down = true;
  await redis.stop({ hard: true });
}

async function restart(): Promise<void> {
  await redis.restart();
  down = false;
}

async function restartHard(): Promise<void> {
  await kill();
  await restart();
}

describe('Redis restart mid-run', () => {
  it('stats: publishers drop (bounded, counted) while Redis is down, then resume; the consumer resumes', async () => {
    const prefix = testPrefix();
    const registry = new Registry();
    const got: StatRecord[] = [];
    const consumer = track(createStatsConsumer({ redisUrl: redis.url, prefix, registry, consumer: 'as-0', shards: [0], blockMs: 200, handler: (s) => void got.push(s) }));
    consumer.start();
    await waitFor(async () => (await raw.exists(statsStream(0, prefix))) === 1);
    const pub = track(createStatsPublisher({ redisUrl: redis.url, prefix, shards: 1, registry, maxBuffered: 50, flushIntervalMs: 20 }));
    let i = 0;
    const publishSome = (n: number): void => {
      for (const end = i + n; i < end; i++) pub.publish(stat(i));
    };
    publishSome(40); // within maxBuffered: nothing dropped
    await waitFor(() => got.length === 40);
    expect(pub.dropped).toBe(0);

    await kill();
    const t0 = performance.now();
    expect(() => publishSome(10_000)).not.toThrow(); // never throws, never blocks
    const publishMs = performance.now() - t0;
    expect(publishMs).toBeLessThan(2_000);
    expect(pub.buffered).toBeLessThanOrEqual(50); // bounded while Redis is away
    expect(pub.dropped).toBeGreaterThanOrEqual(10_000 - 50);
    expect(await counterValue(registry, 'kpa_bus_dropped_total', { kind: 'stats', reason: 'buffer_full' })).toBe(pub.dropped);

    await restart(); // empty: streams and groups are gone
    // the 50 freshest stats kept in the buffer are sent on reconnect; the consumer recreates its group
    await waitFor(() => got.length === 90, { timeoutMs: 10_000 });
    expect(got.slice(40).map((s) => s.pod)).toEqual(Array.from({ length: 50 }, (_, k) => `pod-${i - 50 + k}`));
    publishSome(10);
    await waitFor(() => got.length === 100, { timeoutMs: 10_000 });
    expect(got.at(-1)?.pod).toBe(`pod-${i - 1}`);
    expect(await counterValue(registry, 'kpa_bus_redis_reconnects_total')).toBeGreaterThan(0);
  });

  it('decisions and pokes: the watcher reloads after the restart; the poke reader resumes', async () => {
    const prefix = testPrefix();
    const decisions = track(createDecisionPublisher({ redisUrl: redis.url, prefix }));
    const d = (desired: number): DecisionRecord => ({ ns: 'ns', rev: 'r', ts: desired, desired, ready: 1, ebc: 0, mode: 'serve', numActivators: 1, podCapacity: 0 });
    decisions.publish(d(1));
    await decisions.flush();
    const watcher = track(createDecisionWatcher({ redisUrl: redis.url, prefix, blockMs: 200 }));
    watcher.start();
    expect(await watcher.whenSynced()).toBe(true);
    expect(watcher.latest('ns', 'r')?.desired).toBe(1);
    const pokes: PokeRecord[] = [];
    const reader = track(createPokeReader({ redisUrl: redis.url, prefix, blockMs: 200, handler: (p) => void pokes.push(p) }));
    reader.start();
    expect(await reader.whenSynced()).toBe(true);
    const poker = track(createPokePublisher({ redisUrl: redis.url, prefix }));

    await restartHard();
    decisions.publish(d(2)); // buffered until reconnected, then sent
    poker.poke({ ns: 'ns', rev: 'r', ts: 1, activator: 'a-0' });
    await waitFor(() => watcher.latest('ns', 'r')?.desired === 2, { timeoutMs: 10_000 });
    await waitFor(() => pokes.length === 1, { timeoutMs: 10_000 });
    // and the hash is there again for the next activator
    const fresh = track(createDecisionWatcher({ redisUrl: redis.url, prefix }));
    fresh.start();
    expect(await fresh.whenSynced()).toBe(true);
    expect(fresh.latest('ns', 'r')?.desired).toBe(2);
  });

  it('shard leases: a replica gives up its shards when they would have expired, and takes them back after', async () => {
    const prefix = testPrefix();
    let nowMs = 1_000_000;
    const changes: ShardChange[] = [];
    const leaser = track(createShardLeaser({ redisUrl: redis.url, prefix, replicaId: 'a', shards: 4, leaseTtlMs: 500, now: () => nowMs, onChange: (c) => void changes.push(c) }));
    await leaser.tick();
    expect(leaser.owned).toEqual([0, 1, 2, 3]);

    await kill();
    nowMs += 400; // before expiry: still ours, as far as anyone can tell
    await leaser.tick();
    expect(leaser.owned).toEqual([0, 1, 2, 3]);
    nowMs += 100; // the leases would now have expired in Redis: someone else may own them
    await leaser.tick();
    expect(leaser.owned).toEqual([]);
    expect(changes.at(-1)).toEqual({ owned: [], gained: [], lost: [0, 1, 2, 3] });

    await restart();
    await waitFor(async () => {
      await leaser.tick();
      return leaser.owned.length === 4;
    }, { timeoutMs: 10_000 });
  });
});

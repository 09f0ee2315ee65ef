import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createShardLeaser, replicasKey, shardLeaseKey, type ShardChange, type ShardLeaser } from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { closer, counterValue, rawClient, seeded, testPrefix } from './helpers.js';

const TTL_MS = 500;
const SHARDS = 16;

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

function leaser(prefix: string, replicaId: string, changes: ShardChange[] = [], registry?: Registry): ShardLeaser {
  return track(createShardLeaser({ redisUrl: redis.url, prefix, replicaId, shards: SHARDS, leaseTtlMs: TTL_MS, random: seeded(replicaId.charCodeAt(0) * 7919), onChange: (c) => void changes.push(c), ...(registry ? { registry } : {}) }));
}

function expectPartition(...owned: (readonly number[])[]): void {
  const all = owned.flat().sort((a, b) => a - b);
  expect(all).toEqual([...Array(SHARDS).keys()]); // every shard owned, none twice
}

describe('ShardLeaser', () => {
  it('alone, a replica takes every shard and reports it', async () => {
    const prefix = testPrefix();
    const changes: ShardChange[] = [];
    const registry = new Registry();
    const a = leaser(prefix, 'a', changes, registry);
    await a.tick();
    expect(a.owned).toEqual([...Array(SHARDS).keys()]);
    expect(changes).toEqual([{ owned: a.owned, gained: a.owned, lost: [] }]);
    expect(await raw.get(shardLeaseKey(3, prefix))).toBe('a');
    const pttl = await raw.pttl(shardLeaseKey(3, prefix));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(TTL_MS);
    expect(await counterValue(registry, 'kpa_bus_lease_gains_total')).toBe(SHARDS);
  });

  it('two replicas split the shards 8/8; three split them 6/6/4; never overlapping', async () => {
    const prefix = testPrefix();
    const a = leaser(prefix, 'a');
    const b = leaser(prefix, 'b');
    a.start();
    b.start();
    await waitFor(() => a.owned.length === 8 && b.owned.length === 8, { timeoutMs: 5_000 });
    expectPartition(a.owned, b.owned);
    const c = leaser(prefix, 'c');
    c.start();
    await waitFor(() => [a, b, c].map((r) => r.owned.length).sort().join() === '4,6,6', { timeoutMs: 5_000 });
    expectPartition(a.owned, b.owned, c.owned);
  });

  it('a dead replica’s shards are taken over within one lease period after its leases expire', async () => {
    const prefix = testPrefix();
    const a = leaser(prefix, 'a'); // driven by hand: "dying" = no more rounds, exactly what Redis sees of a crash
    const bChanges: ShardChange[] = [];
    const b = leaser(prefix, 'b', bChanges);
    b.start();
    await waitFor(async () => {
      await a.tick();
      return a.owned.length === 8 && b.owned.length === 8;
    }, { timeoutMs: 5_000 });
    const aShards = a.owned;
    await a.tick(); // last renewal: its leases now expire TTL_MS after this
    const diedAt = Date.now();
    await waitFor(() => b.owned.length === SHARDS, { timeoutMs: 3 * TTL_MS });
    const takeoverMs = Date.now() - diedAt;
    // Leases expire TTL_MS after the last renewal; b's next round (every TTL/3 ± 10 %) takes them,
    // so typically TTL..TTL + TTL/3 (measured ~680 ms here); the bound leaves room for a loaded machine.
    expect(takeoverMs).toBeGreaterThanOrEqual(TTL_MS / 2); // not before the leases could expire
    expect(takeoverMs).toBeLessThanOrEqual(2 * TTL_MS);
    expect(bChanges.at(-1)?.gained).toEqual(aShards);
  });

  it("a fenced release does not delete the lease another replica took after ours expired", async () => {
    const prefix = testPrefix();
    const aChanges: ShardChange[] = [];
    const a = leaser(prefix, 'a', aChanges);
    await a.tick();
    expect(a.owned).toHaveLength(SHARDS);
    // a stalls (no rounds) past its TTL; b takes every shard
    await waitFor(async () => (await raw.exists(shardLeaseKey(0, prefix))) === 0, { timeoutMs: 2 * TTL_MS });
    const b = leaser(prefix, 'b');
    await b.tick();
    expect(b.owned).toHaveLength(SHARDS);
    // a wakes up: its round finds the leases gone (lost, not renewed); a stop() releases nothing of b's
    await a.tick();
    expect(a.owned).toEqual([]);
    expect(aChanges.at(-1)?.lost).toEqual([...Array(SHARDS).keys()]);
    await a.stop();
    for (let s = 0; s < SHARDS; s++) expect(await raw.get(shardLeaseKey(s, prefix))).toBe('b');
  });

  it('stop() releases at once (fenced), so the other replica takes over on its next round', async () => {
    const prefix = testPrefix();
    const a = leaser(prefix, 'a');
    const b = leaser(prefix, 'b');
    a.start();
    b.start();
    await waitFor(() => a.owned.length === 8 && b.owned.length === 8, { timeoutMs: 5_000 });
    const aShards = a.owned;
    await a.stop();
    expect(a.owned).toEqual([]);
    // released, not left to expire: each of a's leases is gone (or already b's), a left the registry
    for (const s of aShards) expect([null, 'b']).toContain(await raw.get(shardLeaseKey(s, prefix)));
    expect(await raw.zscore(replicasKey(prefix), 'a')).toBeNull();
    await waitFor(() => b.owned.length === SHARDS, { timeoutMs: 2 * TTL_MS });
  });

  it('a restarted replica with the same id takes its own unexpired leases back at once', async () => {
    const prefix = testPrefix();
    const before = leaser(prefix, 'a');
    await before.tick();
    expect(before.owned).toHaveLength(SHARDS);
    // "crash": a new instance under the same id, while the old leases are still live in Redis
    const after = leaser(prefix, 'a');
    await after.tick();
    expect(after.owned).toHaveLength(SHARDS);
  });

  it('rejects a renew interval that is not below the TTL', () => {
    expect(() => createShardLeaser({ redisUrl: redis.url, replicaId: 'x', leaseTtlMs: 500, renewIntervalMs: 500 })).toThrow(expect.objectContaining({ code: 'BUS_INVALID_OPTIONS' }));
  });
});

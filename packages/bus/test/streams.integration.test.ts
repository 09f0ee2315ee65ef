import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import {
  createDecisionPublisher,
  createDecisionWatcher,
  createPokePublisher,
  createPokeReader,
  decisionCodec,
  decisionsLatestKey,
  decisionsStream,
  pokeStream,
  type DecisionContext,
  type DecisionRecord,
  type PokeRecord,
} from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { closer, counterValue, rawClient, testPrefix } from './helpers.js';

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

const decision = (rev: string, desired: number, patch: Partial<DecisionRecord> = {}): DecisionRecord => ({
  ns: 'default', rev, ts: 1_700_000_000_000 + desired, desired, ready: desired, ebc: -1, mode: 'proxy', numActivators: 2, podCapacity: 10, ...patch,
});

describe('poke stream', () => {
  it('round trip: a poke published after the reader synced reaches it; pokes from before start are skipped', async () => {
    const prefix = testPrefix();
    const publisher = track(createPokePublisher({ redisUrl: redis.url, prefix }));
    publisher.poke({ ns: 'default', rev: 'old', ts: 1, activator: 'a-0' });
    await publisher.flush();
    const got: PokeRecord[] = [];
    const reader = track(createPokeReader({ redisUrl: redis.url, prefix, blockMs: 200, handler: (p) => void got.push(p) }));
    reader.start();
    expect(await reader.whenSynced()).toBe(true);
    const poke: PokeRecord = { ns: 'default', rev: 'hello-00001', ts: 1_700_000_000_000, activator: 'activator-0' };
    publisher.poke(poke);
    await waitFor(() => got.length === 1);
    expect(got).toEqual([poke]);
  });

  it('coalesces pokes for the same revision published in one tick, and trims with MAXLEN ~', async () => {
    const prefix = testPrefix();
    const publisher = track(createPokePublisher({ redisUrl: redis.url, prefix, maxLen: 10 }));
    await publisher.flush(); // connected
    for (let i = 0; i < 50; i++) publisher.poke({ ns: 'default', rev: 'same', ts: i, activator: 'a-0' });
    await publisher.flush();
    expect(await raw.xlen(pokeStream(prefix))).toBe(1);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 20; i++) publisher.poke({ ns: 'default', rev: `r-${i}`, ts: round, activator: 'a-0' });
      await publisher.flush();
    }
    expect(await raw.xlen(pokeStream(prefix))).toBeLessThanOrEqual(10 + 100);
  });
});

describe('decisions', () => {
  it('round trip: the watcher loads the latest hash first, then follows the stream', async () => {
    const prefix = testPrefix();
    const publisher = track(createDecisionPublisher({ redisUrl: redis.url, prefix }));
    publisher.publish(decision('a', 1));
    publisher.publish(decision('b', 5, { mode: 'serve', ebc: 12.5 }));
    await publisher.flush();
    publisher.publish(decision('a', 3));
    await publisher.flush();

    const seen: [string, number, DecisionContext['source']][] = [];
    const watcher = track(createDecisionWatcher({ redisUrl: redis.url, prefix, blockMs: 200, onDecision: (d, ctx) => void seen.push([d.rev, d.desired, ctx.source]) }));
    watcher.start();
    expect(await watcher.whenSynced()).toBe(true);
    // a restarted activator starts from the latest decision per revision, not the history
    expect(seen.sort()).toEqual([['a', 3, 'snapshot'], ['b', 5, 'snapshot']]);
    expect(watcher.latest('default', 'b')).toEqual(decision('b', 5, { mode: 'serve', ebc: 12.5 }));

    publisher.publish(decision('c', 7));
    publisher.publish(decision('a', 4));
    await waitFor(() => watcher.latest('default', 'a')?.desired === 4 && watcher.latest('default', 'c')?.desired === 7);
    expect(seen.slice(2)).toEqual([['c', 7, 'stream'], ['a', 4, 'stream']]);
    expect([...watcher.all().keys()].sort()).toEqual(['default/a', 'default/b', 'default/c']);
  });

  it('keeps stream and hash consistent (one MULTI) and coalesces a burst per revision', async () => {
    const prefix = testPrefix();
    const publisher = track(createDecisionPublisher({ redisUrl: redis.url, prefix }));
    await publisher.flush();
    for (let i = 1; i <= 100; i++) publisher.publish(decision('burst', i));
    await publisher.flush();
    expect(await raw.xlen(decisionsStream(prefix))).toBe(1);
    const stored = JSON.parse((await raw.hget(decisionsLatestKey(prefix), 'default/burst')) ?? '{}') as Record<string, unknown>;
    expect(decisionCodec.decodeObject(stored)).toEqual({ ok: true, value: decision('burst', 100) });
  });

  it('counts a garbage hash field as malformed and still loads the rest', async () => {
    const prefix = testPrefix();
    const registry = new Registry();
    await raw.hset(decisionsLatestKey(prefix), 'default/x', 'not json', 'default/y', JSON.stringify({ v: '9' }));
    const publisher = track(createDecisionPublisher({ redisUrl: redis.url, prefix }));
    publisher.publish(decision('ok', 2));
    await publisher.flush();
    const watcher = track(createDecisionWatcher({ redisUrl: redis.url, prefix, registry }));
    watcher.start();
    expect(await watcher.whenSynced()).toBe(true);
    expect([...watcher.all().keys()]).toEqual(['default/ok']);
    expect(await counterValue(registry, 'kpa_bus_malformed_total', { kind: 'decisions', reason: 'bad_shape' })).toBe(1);
    expect(await counterValue(registry, 'kpa_bus_malformed_total', { kind: 'decisions', reason: 'unknown_version' })).toBe(1);
  });
});

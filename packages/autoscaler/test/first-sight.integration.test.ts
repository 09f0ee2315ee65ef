// Issue #5 follow-up over a real redis-server and the real bus: the first-sight rule restores a
// revision's state from `kpa:decisions:latest` (left by an earlier replica, or by the same service
// before a restart), and a revision with no decision there is new (initial-scale, min-scale at once).
import { randomUUID } from 'node:crypto';
import { describe, expect, it, afterAll, afterEach, beforeAll } from '@jest/globals';
import { createDecisionPublisher, createPokePublisher, createStatsPublisher, decisionsLatestKey, type StatsPublisher } from '@kpa-ts/bus';
import { DEFAULT_AUTOSCALER_CONFIG, type AutoscalerConfig } from '@kpa-ts/config';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createAutoscaler, createBusPorts, createMemoryBackend, type Autoscaler, type MemoryBackend } from '@kpa-ts/autoscaler';
import { metricValue, NS, persistedDecision, revision } from './helpers.js';

const SHARDS = 4;
let redis: RedisServer;
let raw: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  raw.disconnect();
  await redis.close();
});

const prefixOf = (): string => `t-${randomUUID().slice(0, 8)}:`;
const silent = pino({ enabled: false });
/** Short windows so a real 0 → 1 → 0 takes seconds: stable window 6 s (Knative's minimum). */
const SHORT: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG, stableWindowMs: 6_000, scaleToZeroGracePeriodMs: 1_000 };

interface Started {
  as: Autoscaler;
  registry: Registry;
}

async function startReplica(name: string, prefix: string, backend: MemoryBackend): Promise<Started> {
  const registry = new Registry();
  const ports = createBusPorts({ redisUrl: redis.url, prefix, replicaId: name, shardCount: SHARDS, leaseTtlMs: 500, registry, logger: silent });
  const as = createAutoscaler({ name, backend, ...ports, shardCount: SHARDS, config: SHORT, registry, logger: silent, tickIntervalMs: 250, refreshIntervalMs: 5_000 });
  await as.start();
  cleanups.push(() => as.stop());
  await waitFor(() => as.ownedShards.length === SHARDS, { what: `${name} owns every shard` });
  return { as, registry };
}

/** Every second, one stat per ready pod with nothing in flight (a queue-proxy with no traffic). */
function idleStats(prefix: string, backend: MemoryBackend, revs: readonly string[]): void {
  const p: StatsPublisher = createStatsPublisher({ redisUrl: redis.url, prefix, shards: SHARDS, flushIntervalMs: 10, logger: silent });
  const send = (): void => {
    for (const rev of revs) {
      const ready = backend.get(NS, rev)?.ready ?? 0;
      for (let i = 0; i < ready; i++) p.publish({ ns: NS, rev, pod: `${rev}-${i}`, ts: Date.now(), conc: 0, pconc: 0, reqs: 0, preqs: 0, uptime: 10, src: 'qp' });
    }
  };
  const timer = setInterval(send, 1000);
  cleanups.push(async () => {
    clearInterval(timer);
    await p.close();
  });
}

const ticks = async (s: Started): Promise<number> => (await metricValue(s.registry, 'autoscaler_ticks_total')) ?? 0;

/** Waits until every revision of `s` ticked at least `n` more times (4 revisions → 4 n ticks). */
async function moreTicks(s: Started, revisions: number, n: number): Promise<void> {
  const from = await ticks(s);
  await waitFor(async () => (await ticks(s)) >= from + revisions * n, { timeoutMs: 10_000, what: `${n} more ticks` });
}

describe('first sight over Redis (#5 follow-up)', () => {
  it('restores decisions an earlier replica left in the hash; revisions without one are new', async () => {
    const prefix = prefixOf();
    const backend = createMemoryBackend({ autoReady: true });
    backend.upsert(revision('zero'), 0);
    backend.upsert(revision('busy'), 3);
    backend.upsert(revision('fresh'), 0);
    backend.upsert(revision('floor', { 'autoscaling.knative.dev/min-scale': '2' }), 0);
    const earlier = createDecisionPublisher({ redisUrl: redis.url, prefix, logger: silent });
    earlier.publish(persistedDecision('zero', { ts: Date.now() }));
    earlier.publish(persistedDecision('busy', { ts: Date.now(), desired: 3, ready: 3, ebc: 89 }));
    await earlier.close();

    const a = await startReplica('as-a', prefix, backend);
    await waitFor(() => backend.get(NS, 'fresh')?.replicas === 1 && backend.get(NS, 'floor')?.replicas === 2, { timeoutMs: 5_000, what: 'fresh → 1, floor → 2' });
    await moreTicks(a, 4, 8); // 2 s of ticks
    expect(backend.calls.filter((c) => c.revision === 'zero' || c.revision === 'busy')).toEqual([]);
    expect(backend.calls.map((c) => `${c.revision}:${c.replicas}`).sort()).toEqual(['floor:2', 'fresh:1']);
    for (const [rule, n] of [['restored-inactive', 1], ['restored-active', 1], ['new', 2]] as const) {
      expect(await metricValue(a.registry, 'autoscaler_adoptions_total', { rule })).toBe(n);
    }
    expect(a.as.revision(NS, 'zero')?.paState).toMatchObject({ condition: 'inactive', mode: 'proxy' });
    expect(a.as.revision(NS, 'busy')?.paState).toMatchObject({ condition: 'active' });
  });

  it('a new revision goes 0 → 1 → 0 with no traffic; after a restart its at-zero decision keeps it at zero, a poke still scales it', async () => {
    const prefix = prefixOf();
    const backend = createMemoryBackend({ autoReady: true });
    backend.upsert(revision('cold'), 0);
    idleStats(prefix, backend, ['cold']);
    const startedAt = Date.now();
    const a = await startReplica('as-a', prefix, backend);
    await waitFor(() => backend.get(NS, 'cold')?.replicas === 1, { timeoutMs: 5_000, what: 'new revision at initial-scale 1' });
    await waitFor(() => backend.get(NS, 'cold')?.replicas === 0, { timeoutMs: 15_000, intervalMs: 50, what: 'back to 0 after the 6 s stable window' });
    console.log(`new revision with no traffic: 0 → 1 → 0 in ${Date.now() - startedAt} ms (stable window 6 s, grace 1 s, ticks every 250 ms)`);
    await waitFor(async () => JSON.parse((await raw.hget(decisionsLatestKey(prefix), `${NS}/cold`)) ?? '{}').desired === '0', { what: 'desired 0 in the hash' });
    await a.as.stop();
    expect(backend.calls.map((c) => c.replicas)).toEqual([1, 0]);

    const b = await startReplica('as-b', prefix, backend);
    await moreTicks(b, 1, 12); // 3 s of ticks at zero
    expect(backend.calls.map((c) => c.replicas)).toEqual([1, 0]);
    expect(await metricValue(b.registry, 'autoscaler_adoptions_total', { rule: 'restored-inactive' })).toBe(1);

    const pokes = createPokePublisher({ redisUrl: redis.url, prefix, logger: silent });
    cleanups.push(() => pokes.close());
    pokes.poke({ ns: NS, rev: 'cold', ts: Date.now(), activator: 'act-0' });
    await waitFor(() => backend.get(NS, 'cold')?.replicas === 1, { timeoutMs: 5_000, what: 'poke → 1' });
    expect(backend.calls.map((c) => c.replicas)).toEqual([1, 0, 1]);
  });
});

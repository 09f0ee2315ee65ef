// The autoscaler on a real redis-server and the real bus: stats → owner → scale, decisions in the
// stream and the hash, pokes, and two replicas sharing shards with one crashing.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, afterAll, afterEach, beforeAll } from '@jest/globals';
import {
  createDecisionPublisher,
  createPokePublisher,
  createStatsPublisher,
  decisionCodec,
  decisionsLatestKey,
  decisionsStream,
  shardLeaseKey,
  shardOf,
  type StatsPublisher,
} from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createAutoscaler, createBusPorts, createMemoryBackend, type Autoscaler, type MemoryBackend } from '@kpa-ts/autoscaler';
import { NS, persistedDecision, revision } from './helpers.js';

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

interface Started {
  as: Autoscaler;
  registry: Registry;
}

async function startReplica(name: string, url: string, prefix: string, backend: MemoryBackend, leaseTtlMs = 500): Promise<Started> {
  const registry = new Registry();
  const ports = createBusPorts({ redisUrl: url, prefix, replicaId: name, shardCount: SHARDS, leaseTtlMs, registry, logger: silent });
  const as = createAutoscaler({ name, backend, ...ports, shardCount: SHARDS, registry, logger: silent, tickIntervalMs: 250, refreshIntervalMs: 5_000 });
  await as.start();
  cleanups.push(() => as.stop());
  return { as, registry };
}

function publisher(prefix: string): StatsPublisher {
  const p = createStatsPublisher({ redisUrl: redis.url, prefix, shards: SHARDS, flushIntervalMs: 10, logger: silent });
  cleanups.push(() => p.close());
  return p;
}

/** Every 250 ms, one stat per ready pod of each revision for the current second (load = total in flight). */
function loadLoop(p: StatsPublisher, backend: MemoryBackend, revs: readonly string[], load: () => number): () => void {
  const send = (): void => {
    const ts = Date.now();
    for (const rev of revs) {
      const ready = backend.get(NS, rev)?.ready ?? 0;
      for (let i = 0; i < ready; i++) p.publish({ ns: NS, rev, pod: `${rev}-${i}`, ts, conc: load() / ready, pconc: 0, reqs: load() / ready, preqs: 0, uptime: 10, src: 'qp' });
    }
  };
  send();
  const timer = setInterval(send, 1000);
  const stop = (): void => clearInterval(timer);
  cleanups.push(async () => stop());
  return stop;
}

/** Revision names covering every shard. */
function revisionsOnEveryShard(): string[] {
  const names: string[] = [];
  const covered = new Set<number>();
  for (let i = 0; covered.size < SHARDS; i++) {
    const name = `app-${i}`;
    if (!covered.has(shardOf(NS, name, SHARDS))) names.push(name);
    covered.add(shardOf(NS, name, SHARDS));
  }
  return names;
}

describe('autoscaler over Redis', () => {
  it('stats published by createStatsPublisher reach the owner, which scales; decisions land in the stream and the hash', async () => {
    const prefix = prefixOf();
    const backend = createMemoryBackend({ autoReady: true });
    backend.upsert(revision('hello'), 1);
    const a = await startReplica('as-a', redis.url, prefix, backend);
    await waitFor(() => a.as.ownedShards.length === SHARDS, { what: 'all shards owned' });
    loadLoop(publisher(prefix), backend, ['hello'], () => 350);
    await waitFor(() => backend.get(NS, 'hello')?.replicas === 5, { timeoutMs: 10_000, what: 'scaled to 5' });
    expect(backend.calls.map((c) => c.replicas)).toEqual([5]);

    await waitFor(async () => (await raw.hget(decisionsLatestKey(prefix), `${NS}/hello`)) !== null, { what: 'latest decision' });
    const entries = await raw.xrange(decisionsStream(prefix), '-', '+');
    const decoded = entries.map(([, fields]) => decisionCodec.decode(fields)).filter((d) => d.ok).map((d) => (d.ok ? d.value : undefined));
    expect(decoded.some((d) => d?.rev === 'hello' && d.desired === 5 && d.podCapacity === 0)).toBe(true);
    const latest = JSON.parse((await raw.hget(decisionsLatestKey(prefix), `${NS}/hello`))!) as Record<string, string>;
    expect(latest).toMatchObject({ ns: NS, rev: 'hello', desired: '5' });
  });

  it('acts on a poke within ~100 ms (scale 0 → 1)', async () => {
    const prefix = prefixOf();
    const backend = createMemoryBackend();
    backend.upsert(revision('cold'), 0);
    // Scaled to zero by an earlier replica: its decision is in the latest hash.
    const earlier = createDecisionPublisher({ redisUrl: redis.url, prefix, logger: silent });
    earlier.publish(persistedDecision('cold', { ts: Date.now() }));
    await earlier.close();
    const a = await startReplica('as-a', redis.url, prefix, backend);
    await waitFor(() => a.as.ownedShards.length === SHARDS, { what: 'all shards owned' });
    await a.as.tick(); // restored at zero (Inactive)
    expect(backend.calls).toEqual([]);
    const pokes = createPokePublisher({ redisUrl: redis.url, prefix, logger: silent });
    cleanups.push(() => pokes.close());
    // A running activator's publisher is connected: warm this one up with a poke nobody owns.
    pokes.poke({ ns: NS, rev: 'unknown', ts: Date.now(), activator: 'act-0' });
    await pokes.flush();
    const sentAt = performance.now();
    pokes.poke({ ns: NS, rev: 'cold', ts: Date.now(), activator: 'act-0' });
    await waitFor(() => backend.calls.length > 0, { intervalMs: 2, timeoutMs: 2_000, what: 'scale call after the poke' });
    const latencyMs = performance.now() - sentAt;
    console.log(`poke → scale(1) in ${latencyMs.toFixed(1)} ms`);
    expect(backend.calls).toEqual([{ namespace: NS, revision: 'cold', replicas: 1 }]);
    expect(latencyMs).toBeLessThan(250);
  });

  it('two replicas share the shards; a crashed one hands its revisions to the other within a lease period', async () => {
    const prefix = prefixOf();
    const ttl = 500;
    // Each replica talks to Redis as its own ACL user, so a crash (no release, no renewal) can be
    // simulated by disabling the user and killing its connections.
    for (const u of ['as-a', 'as-b']) await raw.call('ACL', 'SETUSER', `${prefix}${u}`, 'on', `>pw-${u}`, '~*', '&*', '+@all');
    cleanups.push(() => raw.call('ACL', 'DELUSER', `${prefix}as-a`, `${prefix}as-b`));
    const urlOf = (u: string): string => `redis://${encodeURIComponent(`${prefix}${u}`)}:pw-${u}@127.0.0.1:${redis.port}`;

    const backend = createMemoryBackend({ autoReady: true });
    const revs = revisionsOnEveryShard();
    for (const r of revs) backend.upsert(revision(r), 1);
    const a = await startReplica('as-a', urlOf('as-a'), prefix, backend, ttl);
    await waitFor(() => a.as.ownedShards.length === SHARDS, { what: 'a owns every shard' });
    const b = await startReplica('as-b', urlOf('as-b'), prefix, backend, ttl);
    await waitFor(() => a.as.ownedShards.length === 2 && b.as.ownedShards.length === 2, { timeoutMs: 5_000, what: 'shards split 2 / 2' });

    let load = 140;
    loadLoop(publisher(prefix), backend, revs, () => load);
    await waitFor(() => revs.every((r) => backend.get(NS, r)?.replicas === 2), { timeoutMs: 10_000, what: 'every revision at 2 pods' });
    const aRevs = revs.filter((r) => a.as.ownedShards.includes(shardOf(NS, r, SHARDS)));
    expect(aRevs.length).toBeGreaterThan(0);

    // Crash a: no release, no renewal.
    await raw.call('ACL', 'SETUSER', `${prefix}as-a`, 'off');
    await raw.call('CLIENT', 'KILL', 'USER', `${prefix}as-a`);
    const crashedAt = Date.now();
    await waitFor(() => b.as.ownedShards.length === SHARDS, { intervalMs: 5, timeoutMs: 5_000, what: 'b owns every shard' });
    const takeoverMs = Date.now() - crashedAt;
    console.log(`lease TTL ${ttl} ms: b owned a's shards ${takeoverMs} ms after the crash`);
    expect(takeoverMs).toBeLessThan(2 * ttl + 250);
    for (let s = 0; s < SHARDS; s++) expect(await raw.get(shardLeaseKey(s, prefix))).toBe('as-b');
    await waitFor(() => a.as.ownedShards.length === 0, { timeoutMs: 2_000, what: 'a gave its leases up locally' });

    // b keeps scaling a's former revisions.
    load = 350;
    await waitFor(() => revs.every((r) => backend.get(NS, r)?.replicas === 5), { timeoutMs: 10_000, what: 'every revision at 5 pods' });
    for (const r of aRevs) expect(b.as.revision(NS, r)).toBeDefined();
  });

  it('survives a Redis restart: leases retaken, stats read again, the latest hash refilled, scaling goes on', async () => {
    const prefix = prefixOf();
    const backend = createMemoryBackend({ autoReady: true });
    backend.upsert(revision('steady'), 1);
    const a = await startReplica('as-a', redis.url, prefix, backend);
    await waitFor(() => a.as.ownedShards.length === SHARDS, { what: 'all shards owned' });
    let load = 140;
    loadLoop(publisher(prefix), backend, ['steady'], () => load);
    await waitFor(() => backend.get(NS, 'steady')?.replicas === 2, { timeoutMs: 10_000, what: 'scaled to 2' });

    await redis.stop({ hard: true });
    await redis.restart(); // empty data set: no leases, no groups, no decisions
    await waitFor(async () => (await raw.hget(decisionsLatestKey(prefix), `${NS}/steady`)) !== null, { timeoutMs: 10_000, what: 'latest decision republished' });
    load = 420;
    await waitFor(() => backend.get(NS, 'steady')?.replicas === 6, { timeoutMs: 10_000, what: 'scaled to 6 after the restart' });
    expect(a.as.ownedShards).toHaveLength(SHARDS);
  });
});

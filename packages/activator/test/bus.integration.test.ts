import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decisionCodec, decisionsLatestKey, decisionsStream, pokeCodec, pokeStream, shardOf, statCodec, statsStream, type DecisionRecord, type StatRecord } from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { connectBus, type BusPorts } from '../src/bus-wiring.js';
import { startActivator, type TestActivator } from './helpers/activator.js';
import { send, type Reply } from './helpers/http-client.js';
import { startPod, type TestPod } from './helpers/pods.js';

const host = (rev: string): string => `${rev}.default.kpa.local`;
const SHARDS = 4;

describe('activator with a real redis-server (pokes, stats, decisions, Redis away)', () => {
  let redis: RedisServer;
  let r: Redis;
  let bus: BusPorts;
  let a: TestActivator;
  let pod: TestPod;
  const prefix = `t-${randomUUID().slice(0, 8)}:`;

  const decision = (rev: string, mode: 'proxy' | 'serve', ts: number): DecisionRecord => ({ ns: 'default', rev, ts, desired: 1, ready: 1, ebc: mode === 'serve' ? 5 : -1, mode, numActivators: 2, podCapacity: 1 });
  const encode = (d: DecisionRecord): string[] => {
    const e = decisionCodec.encode(d);
    if (!e.ok) throw new Error(e.detail);
    return e.fields;
  };
  // The latest-decision hash holds each decision as a JSON object of its wire fields.
  const hashValue = (fields: string[]): string => {
    const o: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) o[fields[i] as string] = fields[i + 1] as string;
    return JSON.stringify(o);
  };
  const statsOf = async (rev: string): Promise<StatRecord[]> => {
    const entries = await r.xrange(statsStream(shardOf('default', rev, SHARDS), prefix), '-', '+');
    return entries.map(([, f]) => statCodec.decode(f)).flatMap((d) => (d.ok && d.value.rev === rev ? [d.value] : []));
  };

  beforeAll(async () => {
    redis = await startRedis();
    r = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    r.on('error', () => undefined);
    // A decision in the latest hash before the activator starts: it must start in Serve for 'pre'.
    await r.hset(decisionsLatestKey(prefix), 'default/pre', hashValue(encode(decision('pre', 'serve', Date.now()))));
    pod = await startPod('p1', '127.78.0.1');
    const registry = new Registry();
    bus = connectBus({ redisUrl: redis.url, prefix, shards: SHARDS, registry, logger: pino({ level: 'silent' }), blockMs: 200, syncTimeoutMs: 2000 });
    a = await startActivator({ name: 'act-redis', stats: bus.stats, pokes: bus.pokes, decisions: bus.decisions, registry });
  });
  afterAll(async () => {
    await a.close();
    await bus.close();
    await pod.close();
    r.disconnect();
    await redis.close();
  });

  it('starts right from the latest-decisions hash and switches mode on a stream decision', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'pre', containerConcurrency: 1 });
    a.topology.setEndpoints('default', 'pre', [pod.endpoint()]);
    expect(a.activator.revisions.get('default', 'pre')?.effectiveMode()).toBe('serve');
    pod.seen.length = 0;
    await send(a.port, { host: host('pre') });
    expect(pod.seen[0]?.headers['k-proxied-by']).toBeUndefined();
    await r.xadd(decisionsStream(prefix), '*', ...encode(decision('pre', 'proxy', Date.now() + 1)));
    await waitFor(() => a.activator.revisions.get('default', 'pre')?.mode === 'proxy', { what: 'the proxy decision applied' });
    pod.seen.length = 0;
    await send(a.port, { host: host('pre') });
    expect(pod.seen[0]?.headers['k-proxied-by']).toBe('activator');
  });

  it('a request at zero pokes kpa:poke at once and pushes a (1, 1) activator stat', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'cold', containerConcurrency: 1 });
    const pending = send(a.port, { host: host('cold') });
    const poke = await waitFor(async () => {
      const entries = await r.xrange(pokeStream(prefix), '-', '+');
      return entries.map(([, f]) => pokeCodec.decode(f)).find((d) => d.ok && d.value.rev === 'cold');
    }, { what: 'a poke for default/cold' });
    expect(poke.ok && poke.value).toMatchObject({ ns: 'default', rev: 'cold', activator: 'act-redis' });
    const first = await waitFor(async () => (await statsOf('cold'))[0], { what: 'the first-request stat' });
    expect(first).toMatchObject({ conc: 1, reqs: 1, src: 'act', pod: 'act-redis', pconc: 0, preqs: 0 });
    a.topology.setEndpoints('default', 'cold', [pod.endpoint()]);
    expect((await pending).status).toBe(200);
  });

  it('reports stats that match a known load: 4 requests held 3 s → conc ≈ 4 in the full seconds', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'load', containerConcurrency: 10 });
    a.topology.setEndpoints('default', 'load', [pod.endpoint()]);
    const replies = await Promise.all(Array.from({ length: 4 }, () => send(a.port, { host: host('load'), path: '/?delay=3000' })));
    expect(replies.every((x) => x.status === 200)).toBe(true);
    const stats = await waitFor(async () => {
      const s = await statsOf('load');
      return s.length >= 4 ? s : undefined; // first-request + ≥ 3 periodic
    }, { what: 'periodic stats for default/load', timeoutMs: 5000 });
    const [first, ...periodic] = stats;
    expect(first).toMatchObject({ conc: 1, reqs: 1 });
    // Periods fully inside the 3 s hold report 4 (minus the first-request 1 in the first period).
    const full = periodic.filter((s) => s.conc > 3.9);
    expect(full.length).toBeGreaterThanOrEqual(1);
    for (const s of full) expect(s.conc).toBeCloseTo(4, 1);
    const reqs = periodic.reduce((n, s) => n + s.reqs, 0);
    expect(reqs).toBe(3); // 4 requests − the 1 pushed at once
    expect(periodic.every((s) => s.src === 'act' && s.pod === 'act-redis')).toBe(true);
  });

  it('Redis stopped: requests to ready pods are all still served; a cold request is served without waiting on Redis', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'ha', containerConcurrency: 2 });
    a.topology.setEndpoints('default', 'ha', [pod.endpoint()]);
    // 200 requests from 20 concurrent clients (the test activator's queue holds 100), Redis up then down.
    const burst = async (): Promise<Reply[]> =>
      (await Promise.all(Array.from({ length: 20 }, async () => {
        const mine: Reply[] = [];
        for (let i = 0; i < 10; i++) mine.push(await send(a.port, { host: host('ha') }));
        return mine;
      }))).flat();
    const up = await burst();
    await redis.stop({ hard: true });
    const replies = await burst();
    expect(up.filter((x) => x.status !== 200)).toEqual([]);
    expect(replies.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.body}`)).toEqual([]);
    const p99 = (xs: Reply[]): string => (xs.map((x) => x.ms).sort((m, n) => m - n)[Math.floor(xs.length * 0.99) - 1] ?? 0).toFixed(1);
    process.stdout.write(`200 requests, 20 clients: Redis up p99 ${p99(up)} ms; Redis down 200/200 served, p99 ${p99(replies)} ms\n`);
    a.topology.upsertRevision({ namespace: 'default', revision: 'cold2', containerConcurrency: 1 });
    const pending = send(a.port, { host: host('cold2') });
    await waitFor(() => a.activator.revisions.get('default', 'cold2')?.queued === 1, { what: 'the cold request queued' });
    a.topology.setEndpoints('default', 'cold2', [pod.endpoint()]);
    expect((await pending).status).toBe(200);
    // The bus publishers held the poke and stats (bounded buffers, dropping the oldest beyond them)
    // without the request waiting; once Redis is back they arrive.
    await redis.restart();
    await waitFor(async () => (await statsOf('ha')).length > 0, { what: 'stats after Redis came back', timeoutMs: 8000 });
    await waitFor(async () => (await r.xrange(pokeStream(prefix), '-', '+')).some(([, f]) => { const d = pokeCodec.decode(f); return d.ok && d.value.rev === 'cold2'; }), { what: 'the poke held while Redis was away', timeoutMs: 8000 });
    expect(bus.dropped()).toEqual({ stats: 0, pokes: 0 });
  });
});

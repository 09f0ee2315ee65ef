import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createStatsConsumer, statCodec, statsStream, STATS_GROUP_DEFAULT, type MalformedReason, type StatRecord } from '@kpa-ts/bus';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { closer, counterValue, rawClient, seeded, stat, testPrefix } from './helpers.js';

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

type Outcome = { valid: StatRecord } | { reason: Exclude<MalformedReason, 'bad_shape'> };
interface Case {
  fields: string[];
  outcome: Outcome;
}

const ENTRIES = 10_000;
const NUMERIC_KEYS = ['ts', 'conc', 'pconc', 'reqs', 'preqs', 'uptime'] as const;
const REQUIRED_KEYS = ['ns', 'rev', 'pod', 'src', ...NUMERIC_KEYS] as const;
const BAD_NUMBERS = ['abc', '', 'NaN', 'Infinity', '-Infinity', '1e999', '1e300', '9'.repeat(40), '0x1f', '--1', '1,5', ' 1', '1 ', '-3', '1/2', '١٢'];
const BAD_VERSIONS = ['2', '0', '', '1.0', 'v1', ' 1', '99999999999', 'ü'];

/** Flat fields of a valid stat as a mutable object (v first). */
function validObject(s: StatRecord): Record<string, string> {
  const encoded = statCodec.encode(s);
  if (!encoded.ok) throw new Error(encoded.detail);
  const out: Record<string, string> = {};
  for (let i = 0; i < encoded.fields.length; i += 2) out[encoded.fields[i]!] = encoded.fields[i + 1]!;
  return out;
}

function randomString(rand: () => number, maxLen: number): string {
  const len = Math.floor(rand() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCodePoint(1 + Math.floor(rand() * (rand() < 0.9 ? 127 : 0x2fff)));
  return s;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const flat = (o: Record<string, string>): string[] => Object.entries(o).flat();

/**
 * One case per kind of damage; the expected outcome is stated by the generator, not computed by
 * the codec under test.
 */
function makeCase(rand: () => number, i: number): Case {
  const s = stat(i, { conc: Math.round(rand() * 1e6) / 1e3, src: rand() < 0.5 ? 'qp' : 'act' });
  const o = validObject(s);
  const kind = Math.floor(rand() * 8);
  switch (kind) {
    case 0:
    case 1:
      return { fields: flat(o), outcome: { valid: s } };
    case 2: // wrong version
      o['v'] = pick(rand, BAD_VERSIONS);
      return { fields: flat(o), outcome: { reason: 'unknown_version' } };
    case 3: // no version
      delete o['v'];
      return { fields: flat(o), outcome: { reason: 'missing_version' } };
    case 4: // a required field missing
      delete o[pick(rand, REQUIRED_KEYS)];
      return { fields: flat(o), outcome: { reason: 'invalid_fields' } };
    case 5: // a non-numeric or out-of-range number
      o[pick(rand, NUMERIC_KEYS)] = pick(rand, BAD_NUMBERS);
      return { fields: flat(o), outcome: { reason: 'invalid_fields' } };
    case 6: // garbage names and values, no version
      return { fields: Array.from({ length: 2 * (1 + Math.floor(rand() * 10)) }, () => `g${randomString(rand, 20)}`), outcome: { reason: 'missing_version' } };
    default: // version 1 followed by garbage
      // (names prefixed, so a random name cannot be 'v' and override the version)
      return { fields: ['v', '1', ...Array.from({ length: 2 * Math.floor(rand() * 10) }, (_, k) => (k % 2 === 0 ? 'x' : '') + randomString(rand, 30))], outcome: { reason: 'invalid_fields' } };
  }
}

describe('malformed entries (10 000, seeded)', () => {
  it('the consumer stays alive, counts every malformed entry by reason, logs once per reason, and delivers every valid one', async () => {
    const prefix = testPrefix();
    const stream = statsStream(0, prefix);
    const rand = seeded(20_240_601);
    const cases = Array.from({ length: ENTRIES }, (_, i) => makeCase(rand, i));
    const want = cases.flatMap((c) => ('valid' in c.outcome ? [c.outcome.valid] : []));
    const wantReasons: Record<string, number> = {};
    for (const c of cases) if ('reason' in c.outcome) wantReasons[c.outcome.reason] = (wantReasons[c.outcome.reason] ?? 0) + 1;

    const registry = new Registry();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const got: StatRecord[] = [];
    const consumer = track(createStatsConsumer({ redisUrl: redis.url, prefix, registry, logger, consumer: 'as-0', shards: [0], blockMs: 200, count: 500, handler: (s) => void got.push(s) }));
    consumer.start();
    await waitFor(async () => (await raw.exists(stream)) === 1);

    for (let at = 0; at < cases.length; at += 1_000) {
      const batch = raw.pipeline();
      for (const c of cases.slice(at, at + 1_000)) batch.xadd(stream, '*', ...c.fields);
      await batch.exec();
    }
    const sentinel = stat(ENTRIES + 1, { pod: 'sentinel' });
    await raw.xadd(stream, '*', ...flat(validObject(sentinel)));

    await waitFor(() => got.at(-1)?.pod === 'sentinel', { timeoutMs: 20_000 });
    expect(got).toEqual([...want, sentinel]);
    for (const [reason, n] of Object.entries(wantReasons)) {
      expect([reason, await counterValue(registry, 'kpa_bus_malformed_total', { kind: 'stats', reason })]).toEqual([reason, n]);
    }
    expect(await counterValue(registry, 'kpa_bus_malformed_total')).toBe(ENTRIES - want.length);
    expect(await counterValue(registry, 'kpa_bus_consumed_total', { kind: 'stats' })).toBe(want.length + 1);
    const pending = (await raw.xpending(stream, STATS_GROUP_DEFAULT)) as [number];
    expect(pending[0]).toBe(0); // malformed ones acknowledged too
    const warned = lines.filter((l) => l.includes('malformed entry skipped'));
    expect(warned).toHaveLength(Object.keys(wantReasons).length); // once per reason, not 7 000 lines
  });
});

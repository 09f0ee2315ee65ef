import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { StatRecord } from '@kpa-ts/bus';

/** A fresh key prefix per test, so tests never share keys. */
export function testPrefix(): string {
  return `t-${randomUUID().slice(0, 8)}:`;
}

/** A plain ioredis client for assertions (XLEN, XRANGE, ...), with the default (queueing) settings. */
export function rawClient(url: string): Redis {
  const client = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 3 });
  client.on('error', () => undefined);
  return client;
}

export function stat(i: number, patch: Partial<StatRecord> = {}): StatRecord {
  return { ns: 'default', rev: `rev-${i % 7}`, pod: `pod-${i}`, ts: 1_700_000_000_000 + i, conc: i % 10, pconc: 0, reqs: i % 13, preqs: 0, uptime: i, src: 'qp', ...patch };
}

/** The value of counter `name` with `labels` in `registry` (0 when never incremented). */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Closes everything registered with `track` after each test, even failed ones, so jest can exit. */
export function closer(): { track<T extends { close(): Promise<void> } | { stop(): Promise<void> }>(c: T): T; closeAll(): Promise<void> } {
  const open: ({ close(): Promise<void> } | { stop(): Promise<void> })[] = [];
  return {
    track(c) {
      open.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((c) => ('close' in c ? c.close() : c.stop())));
    },
  };
}

/** A seeded PRNG (mulberry32) in [0, 1), so generated cases are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

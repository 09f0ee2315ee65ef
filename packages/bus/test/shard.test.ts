import { describe, expect, it } from '@jest/globals';
import { BusError, fnv1a32, shardOf, statsStream, STATS_SHARDS_DEFAULT, PROXIED_HEADER } from '@kpa-ts/bus';

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors (http://www.isthe.com/chongo/src/fnv/test_fnv.c).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to its published value', (text, want) => {
    expect(fnv1a32(text)).toBe(want);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    expect(fnv1a32('é')).not.toBe(fnv1a32('\u00e9'.normalize('NFD')));
  });
});

describe('shardOf', () => {
  it('is stable: golden values that producers and consumers in other processes rely on', () => {
    // Computed once and pinned: changing the hash would split a revision's stats across shards
    // during a rolling upgrade.
    expect(fnv1a32('default/hello-00001')).toBe(1673404783);
    expect([shardOf('default', 'hello-00001', 16), shardOf('prod', 'api-00042', 16), shardOf('a', 'b', 7)]).toEqual([15, 12, 2]);
  });

  it('stays in [0, shards) and spreads 10 000 revisions over every shard', () => {
    const counts = new Array<number>(STATS_SHARDS_DEFAULT).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const s = shardOf(`ns-${i % 37}`, `rev-${i}`, STATS_SHARDS_DEFAULT);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    // 625 expected per shard; a decent hash keeps every shard within ±25 %.
    for (const c of counts) expect(c).toBeGreaterThan(625 * 0.75);
    for (const c of counts) expect(c).toBeLessThan(625 * 1.25);
  });

  it('separates namespace and revision (a/bc ≠ ab/c)', () => {
    expect(fnv1a32('a/bc')).not.toBe(fnv1a32('ab/c'));
  });

  it.each([0, -1, 1.5, Number.NaN, 5000])('rejects shards = %p with BUS_INVALID_OPTIONS', (shards) => {
    let caught: unknown;
    try {
      shardOf('ns', 'rev', shards);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BusError);
    expect((caught as BusError).code).toBe('BUS_INVALID_OPTIONS');
  });
});

describe('names', () => {
  it('builds stream names with an optional prefix', () => {
    expect(statsStream(3)).toBe('kpa:stats:3');
    expect(statsStream(3, 't-1:')).toBe('t-1:kpa:stats:3');
    expect(PROXIED_HEADER).toBe('k-proxied-by');
  });
});

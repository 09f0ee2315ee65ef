import { describe, expect, it, afterEach } from '@jest/globals';
import { shardOf } from '@kpa-ts/bus';
import { makeHarness, NS, revision, type Harness } from './helpers.js';

describe('shard ownership (in memory)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it('records and ticks only the revisions of owned shards', async () => {
    h = makeHarness({ shardCount: 4 });
    const names = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'];
    for (const n of names) h.backend.upsert(revision(n), 1);
    await h.main.as.start();
    const mine = names.filter((n) => shardOf(NS, n, 4) < 2);
    h.main.ports.shards.set([0, 1]);
    expect(h.main.as.ownedShards).toEqual([0, 1]);
    for (const n of names) await h.run(n, 2, () => 300);
    const scaled = new Set(h.backend.calls.map((c) => c.revision));
    expect([...scaled].sort()).toEqual([...mine].sort());
    for (const n of names) expect(h.main.as.revision(NS, n) !== undefined).toBe(mine.includes(n));
  });

  it('a takeover starts fresh in panic when > 1 pod is ready, so it never scales down abruptly', async () => {
    h = makeHarness({ shardCount: 2 });
    const rev = 'busy';
    h.backend.upsert(revision(rev), 1);
    await h.start();
    await h.run(rev, 10, () => 600); // 600 / 70 → 9 pods
    expect(h.backend.get(NS, rev)?.replicas).toBe(9);

    const b = h.replica('as-b');
    await b.as.start();
    const shard = shardOf(NS, rev, 2);
    // A crashes (its leases expire, it does not tick any more); B takes the shard.
    h.main.ports.shards.set([]);
    b.ports.shards.set([shard]);
    expect(h.main.as.revision(NS, rev)).toBeUndefined();
    expect(b.as.revision(NS, rev)).toBeDefined();
    const callsBefore = h.backend.calls.length;
    // Load dropped to ~1 pod's worth; B has only a few seconds of data.
    await h.run(rev, 20, () => 60, b);
    expect(b.as.revision(NS, rev)?.lastOutcome?.panicking).toBe(true);
    expect(h.backend.calls.slice(callsBefore)).toEqual([]);
    expect(h.backend.get(NS, rev)?.replicas).toBe(9);
    // It keeps scaling the revision: a bigger spike is followed at once.
    await h.run(rev, 4, () => 2000, b);
    expect(h.backend.get(NS, rev)?.replicas).toBeGreaterThan(9);
  });

  it('a lost shard drops its state and metric series; regaining it starts fresh', async () => {
    h = makeHarness({ shardCount: 1 });
    h.backend.upsert(revision('r'), 1);
    await h.start();
    await h.run('r', 4, () => 100);
    const before = h.main.as.revision(NS, 'r');
    h.main.ports.shards.set([]);
    expect(h.main.as.revision(NS, 'r')).toBeUndefined();
    h.main.ports.shards.set([0]);
    const after = h.main.as.revision(NS, 'r');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(after?.lastOutcome).toBeUndefined();
  });

  it('stop() releases the leases after the last tick and stops acting on stats', async () => {
    h = makeHarness();
    h.backend.upsert(revision('r'), 1);
    await h.start();
    await h.main.as.stop();
    expect(h.main.ports.shards.released).toBe(true);
    expect(h.main.as.healthy).toBe(false);
    await h.run('r', 6, () => 1000);
    expect(h.backend.calls).toEqual([]);
  });
});

// Issue #5 follow-up: initial-scale and min-scale for revisions the autoscaler has never seen, the
// restore from the persisted latest decision after a restart, and min-scale raised at zero. The
// service on the in-memory backend and bus (its latest map is the Redis hash), manual clock.
import { describe, expect, it, afterEach } from '@jest/globals';
import { DEFAULT_AUTOSCALER_CONFIG } from '@kpa-ts/config';
import { makeHarness, metricValue, NS, persistedDecision, revision, T0, type Harness, type Replica } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h.stop();
});

const rev = 'hello-00001';
const MIN_SCALE = 'autoscaling.knative.dev/min-scale';
const replicasOf = (): number | undefined => h.backend.get(NS, rev)?.replicas;
const scaledTo = (): number[] => h.backend.calls.map((c) => c.replicas);

/** Ticks `seconds` seconds with no traffic (ready pods report 0) until `until` holds; the time it held. */
async function idleUntil(seconds: number, until: () => boolean, r?: Replica): Promise<number | undefined> {
  for (let i = 0; i < seconds; i++) {
    await h.run(rev, 1, () => 0, r);
    if (until()) return h.clock.nowMs();
  }
  return undefined;
}

describe('a revision never seen before (no persisted decision) is new: Activating, created at initial-scale', () => {
  it.each([
    { name: 'TBC 0: Serve while up, so the grace period starts at the switch to Proxy', annotations: { 'autoscaling.knative.dev/target-burst-capacity': '0' }, minMs: 90_000, maxMs: 96_000 },
    { name: 'default TBC 211: the activator was in the path all along', annotations: {}, minMs: 60_000, maxMs: 66_000 },
  ])('is scaled to initial-scale 1 at once, then to 0 after the stable window + grace with no traffic ($name)', async ({ annotations, minMs, maxMs }) => {
    h = makeHarness();
    h.backend.upsert(revision(rev, annotations), 0);
    await h.start();
    await h.main.as.tick(); // first sight, no request anywhere
    expect(scaledTo()).toEqual([1]);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.adopted).toBe('new');
    expect(await metricValue(h.main.registry, 'autoscaler_adoptions_total', { rule: 'new' })).toBe(1);
    expect(h.main.lines.some((l) => l.msg === 'revision adopted' && l['rule'] === 'new' && l['scaleTo'] === 1)).toBe(true);

    const zeroAt = await idleUntil(120, () => replicasOf() === 0);
    expect(zeroAt).toBeDefined();
    expect(zeroAt! - T0).toBeGreaterThanOrEqual(minMs);
    expect(zeroAt! - T0).toBeLessThanOrEqual(maxMs);
    expect(scaledTo()).toEqual([1, 0]);
    expect(h.bus.latest.get(`${NS}/${rev}`)).toMatchObject({ desired: 0, mode: 'proxy' });
    // And it stays there: the initial scale is applied once per revision.
    await h.run(rev, 60, () => 0);
    expect(scaledTo()).toEqual([1, 0]);
  });

  it('initial-scale 0 (allow-zero-initial-scale) stays at 0 until a request', async () => {
    h = makeHarness({ config: { allowZeroInitialScale: true } });
    h.backend.upsert(revision(rev, { 'autoscaling.knative.dev/initial-scale': '0' }), 0);
    await h.start();
    await h.run(rev, 120, () => 0);
    expect(scaledTo()).toEqual([]);
    expect(h.main.as.revision(NS, rev)?.paState).toMatchObject({ condition: 'inactive', reason: 'NoTraffic' });
    h.bus.poke({ ns: NS, rev, ts: h.clock.nowMs(), activator: 'activator-0' });
    await h.main.as.idle();
    expect(scaledTo()).toEqual([1]);
  });

  it('initial-scale 3 is held until reached, then the decider takes over', async () => {
    h = makeHarness({ autoReady: false });
    h.backend.upsert(revision(rev, { 'autoscaling.knative.dev/initial-scale': '3' }), 0);
    await h.start();
    await h.main.as.tick();
    expect(scaledTo()).toEqual([3]);
    h.backend.setReady(NS, rev, 3);
    await h.run(rev, 4, () => 0);
    expect(h.main.as.revision(NS, rev)?.paState).toMatchObject({ condition: 'active', scaleTargetInitialized: true });
  });

  it('min-scale 2 at 0 replicas → 2 at once, without traffic, and kept', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev, { [MIN_SCALE]: '2' }), 0);
    await h.start();
    await h.main.as.tick();
    expect(scaledTo()).toEqual([2]);
    await h.run(rev, 200, () => 0);
    expect(scaledTo()).toEqual([2]);
  });

  it('pods that never become ready: Knative activation timeout (progress deadline 600 s + 30 s) → back to 0, no flap', async () => {
    h = makeHarness({ autoReady: false });
    h.backend.upsert(revision(rev), 0);
    await h.start();
    await h.main.as.tick();
    expect(scaledTo()).toEqual([1]);
    const zeroAt = await idleUntil(700, () => replicasOf() === 0);
    expect(zeroAt! - T0).toBeGreaterThan(630_000);
    expect(zeroAt! - T0).toBeLessThanOrEqual(634_000);
    expect(h.main.as.revision(NS, rev)?.paState).toMatchObject({ condition: 'inactive', reason: 'TimedOut' });
    await h.run(rev, 60, () => 0);
    expect(scaledTo()).toEqual([1, 0]);
  });

  it('while the persisted decisions cannot be read, the first tick is skipped (nothing changes), then it is adopted', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 0);
    h.bus.setHistoryAvailable(false);
    await h.start();
    await h.run(rev, 10, () => 0);
    expect(scaledTo()).toEqual([]);
    expect(await metricValue(h.main.registry, 'autoscaler_ticks_total', { result: 'history_unavailable' })).toBe(5);
    expect(h.main.lines.filter((l) => l.msg.startsWith('cannot read the persisted latest decision'))).toHaveLength(1);
    expect(h.main.as.revision(NS, rev)?.paState).toBeUndefined();
    h.bus.setHistoryAvailable(true);
    await h.run(rev, 2, () => 0);
    expect(scaledTo()).toEqual([1]);
  });
});

describe('restart: the persisted latest decision is restored', () => {
  it('at zero → stays at zero (no flap to 1), and a request still scales it up', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 0);
    await h.start();
    await h.main.as.tick();
    await idleUntil(120, () => replicasOf() === 0);
    expect(scaledTo()).toEqual([1, 0]);
    expect(h.bus.latest.get(`${NS}/${rev}`)).toMatchObject({ desired: 0 });

    // The replica restarts: a new process, the same Redis.
    await h.main.as.stop();
    const b = h.replica('as-b');
    await b.as.start();
    b.ports.shards.set([...Array(h.shardCount).keys()]);
    await h.run(rev, 120, () => 0, b);
    expect(scaledTo()).toEqual([1, 0]);
    expect(b.as.revision(NS, rev)?.paState).toMatchObject({ condition: 'inactive', mode: 'proxy' });
    expect(await metricValue(b.registry, 'autoscaler_adoptions_total', { rule: 'restored-inactive' })).toBe(1);

    h.bus.poke({ ns: NS, rev, ts: h.clock.nowMs(), activator: 'activator-0' });
    await b.as.idle();
    expect(scaledTo()).toEqual([1, 0, 1]);
  });

  it('active with ready pods → Active, the decider starts in panic: no scale-down', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 1);
    await h.start();
    await h.run(rev, 10, () => 350); // 350 / 70 → 5 pods
    expect(replicasOf()).toBe(5);
    await h.main.as.stop();

    const b = h.replica('as-b');
    await b.as.start();
    b.ports.shards.set([...Array(h.shardCount).keys()]);
    const calls = h.backend.calls.length;
    await h.run(rev, 20, () => 60, b); // about one pod's worth, a few seconds of data
    const state = b.as.revision(NS, rev);
    expect(state?.lastOutcome?.panicking).toBe(true);
    expect(state?.paState).toMatchObject({ condition: 'active', scaleTargetInitialized: true });
    expect(await metricValue(b.registry, 'autoscaler_adoptions_total', { rule: 'restored-active' })).toBe(1);
    expect(h.backend.calls.slice(calls)).toEqual([]);
    expect(replicasOf()).toBe(5);
  });

  it('a decision left by an earlier replica (seeded) is restored the same way', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 0);
    h.bus.persist(persistedDecision(rev));
    await h.start();
    await h.run(rev, 100, () => 0);
    expect(scaledTo()).toEqual([]);
  });
});

describe('min-scale raised above the replicas of a revision at zero: treated like a new revision (Activating)', () => {
  it('an annotation edit → min-scale at once without a request; lowered again → back to zero', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 0);
    h.bus.persist(persistedDecision(rev));
    await h.start();
    await h.run(rev, 10, () => 0);
    expect(scaledTo()).toEqual([]);

    h.backend.upsert(revision(rev, { [MIN_SCALE]: '2' }));
    await h.main.as.tick();
    expect(scaledTo()).toEqual([2]);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.reactivated).toBe(true);
    expect(await metricValue(h.main.registry, 'autoscaler_min_scale_reactivations_total')).toBe(1);
    expect(h.main.lines.some((l) => l.msg === 'min-scale raised above the replicas: activating')).toBe(true);
    await h.run(rev, 4, () => 0);
    expect(h.main.as.revision(NS, rev)?.paState).toMatchObject({ condition: 'active' });

    h.backend.upsert(revision(rev, { [MIN_SCALE]: '0' }));
    const zeroAt = await idleUntil(200, () => replicasOf() === 0);
    expect(zeroAt).toBeDefined();
    expect(scaledTo()).toEqual([2, 1, 0]);
  });

  it('a config-autoscaler min-scale raise applies to every revision at zero without its own min-scale', async () => {
    h = makeHarness();
    const pinned = 'pinned-00001';
    h.backend.upsert(revision(rev), 0);
    h.backend.upsert(revision(pinned, { [MIN_SCALE]: '0' }), 0);
    h.bus.persist(persistedDecision(rev));
    h.bus.persist(persistedDecision(pinned));
    await h.start();
    await h.run(rev, 4, () => 0);
    h.main.as.applyConfig({ ...DEFAULT_AUTOSCALER_CONFIG, minScale: 1 });
    await h.main.as.tick();
    expect(h.backend.calls).toEqual([{ namespace: NS, revision: rev, replicas: 1 }]);
  });

  it.each([
    { name: 'an edit that does not touch min-scale', annotations: { 'autoscaling.knative.dev/max-scale': '5' }, replicas: 0, persisted: { desired: 0 } },
    { name: 'min-scale raised to no more than the replicas already running', annotations: { [MIN_SCALE]: '2' }, replicas: 3, persisted: { desired: 3, ready: 3 } },
  ])('leaves the revision alone: $name', async ({ annotations, replicas, persisted }) => {
    h = makeHarness();
    h.backend.upsert(revision(rev), replicas);
    h.bus.persist(persistedDecision(rev, persisted));
    await h.start();
    await h.main.as.tick();
    h.backend.upsert(revision(rev, annotations));
    await h.main.as.tick();
    expect(scaledTo()).toEqual([]);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.reactivated).toBe(false);
  });
});

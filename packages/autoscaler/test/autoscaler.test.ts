import { describe, expect, it, afterEach } from '@jest/globals';
import { makeHarness, metricValue, NS, persistedDecision, revision, T0, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h.stop();
});

const rev = 'hello-00001';
const labels = { namespace: NS, revision: rev };

describe('autoscaler service on the in-memory backend and bus', () => {
  it('scales a revision up under load (350 in flight, target 70 per pod → 5 pods)', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 1);
    await h.start();
    await h.run(rev, 10, () => 350);
    expect(h.backend.get(NS, rev)?.replicas).toBe(5);
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([5]);
    const last = h.bus.latest.get(`${NS}/${rev}`);
    expect(last).toMatchObject({ desired: 5, podCapacity: 0 });
    expect(await metricValue(h.main.registry, 'autoscaler_desired_pods', labels)).toBe(5);
    expect(await metricValue(h.main.registry, 'autoscaler_stable_request_concurrency', labels)).toBe(350);
    expect(await metricValue(h.main.registry, 'autoscaler_target_concurrency_per_pod', labels)).toBe(70);
  });

  it('panics on a spike and does not scale down while panicking', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 5);
    await h.start();
    // 5 ready pods at start → the fresh scaler starts in panic (Knative); let a stable window pass.
    await h.run(rev, 70, () => 300);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.panicking).toBe(false);
    expect(h.backend.get(NS, rev)?.replicas).toBe(5);
    // Spike: 1 400 in flight wants 20 pods, 4× the 5 ready → panic at once.
    await h.run(rev, 4, () => 1400);
    const outcome = h.main.as.revision(NS, rev)?.lastOutcome;
    expect(outcome?.panicking).toBe(true);
    const spiked = h.backend.get(NS, rev)?.replicas ?? 0;
    expect(spiked).toBeGreaterThanOrEqual(10);
    expect(await metricValue(h.main.registry, 'autoscaler_panic_mode', labels)).toBe(1);
    expect(h.main.lines.some((l) => l.msg === 'panic mode on')).toBe(true);
    // The spike ends: still panicking (< a stable window since the last tick over threshold) → no scale-down.
    await h.run(rev, 20, () => 300);
    expect(h.backend.get(NS, rev)?.replicas).toBeGreaterThanOrEqual(spiked);
    expect(h.backend.calls.every((c, i, all) => i === 0 || c.replicas >= all[i - 1]!.replicas)).toBe(true);
  });

  // Knative's scale-to-zero: the decider reaches 0 once the last busy second left the 60 s stable
  // window; the last pod goes when the activator has been in the path for the 30 s grace period.
  it.each([
    { name: 'TBC 0: Serve while running, so the grace period starts at the switch to Proxy', annotations: { 'autoscaling.knative.dev/target-burst-capacity': '0' }, minMs: 90_000, maxMs: 94_000 },
    { name: 'default TBC 211: the activator was in the path all along, no extra wait', annotations: {}, minMs: 60_000, maxMs: 64_000 },
  ])('scales to zero after the stable window with the activator in the path for the grace period ($name)', async ({ annotations, minMs, maxMs }) => {
    h = makeHarness();
    h.backend.upsert(revision(rev, annotations), 1);
    await h.start();
    await h.run(rev, 20, (s) => (s <= 10 ? 50 : 0));
    const lastLoadMs = T0 + 10_000;
    let zeroAt: number | undefined;
    let proxyAt: number | undefined;
    let wasProxy = false;
    for (let i = 0; i < 120 && zeroAt === undefined; i++) {
      await h.run(rev, 1, () => 0);
      const mode = h.main.as.revision(NS, rev)?.lastOutcome?.reconcile.mode;
      if (mode === 'proxy' && !wasProxy) proxyAt = h.clock.nowMs();
      wasProxy = mode === 'proxy';
      if (h.backend.get(NS, rev)?.replicas === 0) zeroAt = h.clock.nowMs();
    }
    expect(zeroAt).toBeDefined();
    expect(zeroAt! - lastLoadMs).toBeGreaterThanOrEqual(minMs);
    expect(zeroAt! - lastLoadMs).toBeLessThanOrEqual(maxMs);
    expect(zeroAt! - (proxyAt ?? T0)).toBeGreaterThanOrEqual(30_000);
    expect(h.bus.latest.get(`${NS}/${rev}`)).toMatchObject({ mode: 'proxy', desired: 0 });
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([0]);
  });

  it('acts on a poke at zero at once: scale 0 → 1 without waiting for a tick', async () => {
    h = makeHarness({ autoReady: false });
    h.backend.upsert(revision(rev), 0);
    h.bus.persist(persistedDecision(rev)); // scaled to zero before this replica started
    await h.start();
    await h.run(rev, 4, () => 0); // two ticks at zero: restored Inactive, nothing to do
    expect(h.backend.calls).toEqual([]);
    h.bus.poke({ ns: NS, rev, ts: h.clock.nowMs(), activator: 'activator-0' });
    await h.main.as.idle(); // no tick() call: the poke ran one
    expect(h.backend.calls).toEqual([{ namespace: NS, revision: rev, replicas: 1 }]);
    expect(await metricValue(h.main.registry, 'autoscaler_pokes_total', { result: 'acted' })).toBe(1);
    // A second poke while the decider already wants a pod changes nothing.
    h.bus.poke({ ns: NS, rev, ts: h.clock.nowMs(), activator: 'activator-0' });
    await h.main.as.idle();
    expect(h.backend.calls).toHaveLength(1);
    expect(await metricValue(h.main.registry, 'autoscaler_pokes_total', { result: 'ignored' })).toBe(1);
  });

  it('acts at once on activator load for a revision last decided at zero (Knative poke by stat)', async () => {
    h = makeHarness({ autoReady: false });
    h.backend.upsert(revision(rev), 0);
    h.bus.persist(persistedDecision(rev));
    await h.start();
    await h.run(rev, 2, () => 0);
    expect(h.backend.calls).toEqual([]);
    h.bus.publishStat({ ns: NS, rev, pod: 'activator-1', ts: h.clock.nowMs(), conc: 1, pconc: 0, reqs: 1, preqs: 0, uptime: 5, src: 'act' });
    await h.main.as.idle();
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([1]);
  });

  it('no data → no change: ready pods but no stats never scale (nor publish)', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 3);
    await h.start();
    for (let i = 0; i < 60; i++) {
      h.clock.advance(2000);
      await h.main.as.tick();
    }
    expect(h.backend.calls).toEqual([]);
    expect(h.bus.decisions).toEqual([]);
    expect(await metricValue(h.main.registry, 'autoscaler_ticks_total', { result: 'no_data' })).toBe(60);
  });

  it('pods that cannot be read → the tick is skipped, nothing changes, one log line per outage', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 1);
    await h.start();
    await h.run(rev, 4, () => 300);
    const calls = h.backend.calls.length;
    h.backend.setFailure(NS, rev, new Error('runtime API unreachable'));
    await h.run(rev, 10, () => 1000);
    expect(h.backend.calls).toHaveLength(calls);
    expect(await metricValue(h.main.registry, 'autoscaler_ticks_total', { result: 'backend_error' })).toBe(5);
    expect(h.main.lines.filter((l) => l.msg.startsWith('cannot read the pods'))).toHaveLength(1);
    h.backend.setFailure(NS, rev, undefined);
    await h.run(rev, 2, () => 1000);
    expect(h.backend.calls.length).toBeGreaterThan(calls);
  });

  it('publishes a decision when something changed, and refreshes an unchanged one periodically', async () => {
    h = makeHarness({ refreshIntervalMs: 10_000 });
    h.backend.upsert(revision(rev, {}, 10), 2);
    await h.start();
    await h.run(rev, 2, () => 10);
    expect(h.bus.decisions).toHaveLength(1);
    expect(h.bus.decisions[0]).toMatchObject({ ns: NS, rev, desired: 2, ready: 2, podCapacity: 10, mode: 'proxy' });
    await h.run(rev, 8, () => 10); // unchanged for 8 s
    expect(h.bus.decisions).toHaveLength(1);
    await h.run(rev, 4, () => 10); // > 10 s since the last publish
    expect(h.bus.decisions).toHaveLength(2);
    expect(h.bus.decisions[1]!.ts).toBeGreaterThan(h.bus.decisions[0]!.ts);
    expect(await metricValue(h.main.registry, 'autoscaler_decisions_published_total', { reason: 'refresh' })).toBe(1);
  });

  it('switches to Serve when the burst capacity allows it (target-burst-capacity 0)', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev, { 'autoscaling.knative.dev/target-burst-capacity': '0' }), 1);
    await h.start();
    await h.run(rev, 4, () => 30);
    expect(h.bus.latest.get(`${NS}/${rev}`)).toMatchObject({ mode: 'serve', ebc: 0, numActivators: 2 });
  });

  it('leaves revisions of another autoscaling class alone', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev, { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' }), 1);
    await h.start();
    await h.run(rev, 6, () => 500);
    expect(h.backend.calls).toEqual([]);
    expect(h.main.as.revision(NS, rev)).toBeUndefined();
  });

  it('forgets a deleted revision and its metric series', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev), 1);
    await h.start();
    await h.run(rev, 2, () => 10);
    expect(await metricValue(h.main.registry, 'autoscaler_actual_pods', labels)).toBe(1);
    h.backend.delete(NS, rev);
    expect(h.main.as.revision(NS, rev)).toBeUndefined();
    expect(await metricValue(h.main.registry, 'autoscaler_actual_pods', labels)).toBeUndefined();
  });

  it('honours max-scale and min-scale annotations', async () => {
    h = makeHarness();
    h.backend.upsert(revision(rev, { 'autoscaling.knative.dev/max-scale': '3', 'autoscaling.knative.dev/min-scale': '1' }), 1);
    await h.start();
    await h.run(rev, 6, () => 1000);
    expect(h.backend.get(NS, rev)?.replicas).toBe(3);
    await h.run(rev, 200, () => 0);
    expect(h.backend.get(NS, rev)?.replicas).toBe(1);
  });
});

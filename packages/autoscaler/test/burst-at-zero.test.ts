// Issue #5 follow-up: a burst at zero was seen ~2 s late. 200 clients wait at the activator for a
// revision at zero (containerConcurrency 100 → target 70 per pod); Knative's activator pushes its
// concurrency every second (kpa.md a.2, a.4), so the first regular tick after the poke must see it.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { StatRecord } from '@kpa-ts/bus';
import { pokeTimeMs } from '@kpa-ts/autoscaler';
import { makeHarness, NS, persistedDecision, revision, T0, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h.stop();
});

const rev = 'burst-00001';
/** A whole second, after the harness's first ticks. */
const S = T0 + 10_000;

function act(ts: number, conc: number, reqs: number): StatRecord {
  return { ns: NS, rev, pod: 'activator-0', ts, conc, pconc: 0, reqs, preqs: 0, uptime: 100, src: 'act' };
}

/** A revision scaled to zero before this replica started, adopted by a tick at zero. */
async function atZero(): Promise<void> {
  h = makeHarness({ autoReady: false });
  h.backend.upsert(revision(rev, {}, 100), 0);
  h.bus.persist(persistedDecision(rev));
  await h.start();
  await h.run(rev, 2, () => 0);
  expect(h.backend.calls).toEqual([]);
}

/** Moves the clock to `ms`, then delivers `what` and waits for the ticks it started. */
async function at(ms: number, what: () => void = () => undefined): Promise<void> {
  h.clock.set(ms);
  what();
  await h.main.as.idle();
}

describe('regression #5 follow-up: a burst at zero seen ~2 s late', () => {
  it('poke + the activator\'s ~200 → desired 3 at the first regular tick after the poke', async () => {
    await atZero();
    // The burst reaches the activator at S.930; its poke is read here in the next second.
    await at(S + 1_010, () => h.bus.poke({ ns: NS, rev, ts: S + 930, activator: 'activator-0' }));
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([1]);
    await at(S + 1_030, () => h.bus.publishStat(act(S + 930, 1, 1))); // the first-request push
    await at(S + 1_080, () => h.bus.publishStat(act(S + 980, 199, 199))); // 200 waiting, minus the push
    h.backend.setReady(NS, rev, 1); // the pod is ready at S+1.6 s; it has not reported yet
    await at(S + 1_900, () => void h.main.as.tick());
    // It was 1 pod: the poke counted in the autoscaler's second (S+1) and the activator's second S
    // waited for the new pod's stat (2 s). Now: the poke in the activator's second, paid back by
    // its push, and the activator's stats at once → 200 / 70 → 3.
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([1, 3]);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.averages).toEqual({ stableAvg: 200, panicAvg: 200 });
    expect(h.bus.latest.get(`${NS}/${rev}`)).toMatchObject({ desired: 3, ready: 1 });
  });

  it('the demo\'s sequence before the fix (reports at free-running phases): the first regular tick already panics', async () => {
    await atZero();
    await at(S + 397, () => h.bus.poke({ ns: NS, rev, ts: S + 397, activator: 'activator-0' }));
    await at(S + 497, () => h.bus.publishStat(act(S + 395, 1, 1)));
    await at(S + 1_336, () => h.bus.publishStat(act(S + 1_235, 195.53809523809525, 199)));
    h.backend.setReady(NS, rev, 1);
    await at(S + 2_016, () => void h.main.as.tick());
    // It read 2 (the poke and the push counted twice, the 195.5 held back) and stayed at 1 pod
    // until the tick after. (1 + 195.5) / 2 = 98.3 is Knative's own linear average of these two
    // buckets: 2 pods, panicking (2 / 1 ready ≥ 200 %); the reporters now end their periods with
    // the second (the test above) so the burst lands with the push: 3 pods.
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.averages).toEqual({ stableAvg: 98.269048, panicAvg: 98.269048 });
    expect(h.backend.calls.map((c) => c.replicas)).toEqual([1, 2]);
    expect(h.main.as.revision(NS, rev)?.lastOutcome?.panicking).toBe(true);
  });
});

describe('when a poke\'s waiting request counts', () => {
  it.each([
    { name: 'the poke\'s own time (the activator\'s clock, as its stats)', ts: 9_970, now: 10_500, want: 9_970 },
    { name: 'a stale poke: 1 s before now at most', ts: 2_000, now: 10_500, want: 9_500 },
    { name: 'a clock ahead: 1 s after now at most', ts: 20_000, now: 10_500, want: 11_500 },
    { name: 'no usable time: now', ts: Number.NaN, now: 10_500, want: 10_500 },
  ])('$name', ({ ts, now, want }) => {
    expect(pokeTimeMs(ts, now)).toBe(want);
  });
});

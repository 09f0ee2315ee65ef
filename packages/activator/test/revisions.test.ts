import { describe, expect, it } from '@jest/globals';
import { ActivatorError, defaultCapacityPolicy, Revisions, type Endpoint } from '@kpa-ts/activator';
import type { DecisionRecord } from '@kpa-ts/bus';
import { ManualClock } from './helpers/manual-clock.js';

const ep = (n: number): Endpoint => ({ pod: `p${n}`, ip: `127.0.0.${n}`, port: 8012, ready: true });
const decision = (over: Partial<DecisionRecord>): DecisionRecord => ({ ns: 'ns', rev: 'r', ts: 1, desired: 1, ready: 1, ebc: 5, mode: 'serve', numActivators: 2, podCapacity: 1, ...over });
const make = (index = -1, replicas = 1): Revisions => new Revisions({ clock: new ManualClock(), queueDepth: 10, policy: defaultCapacityPolicy, activatorIndex: index, activatorReplicas: replicas });

describe('Revisions', () => {
  it('keeps a decision for a revision not known yet and applies it when the revision appears', () => {
    const rs = make();
    expect(rs.applyDecision(decision({}))).toBe('pending');
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    expect(rs.get('ns', 'r')?.mode).toBe('serve');
  });

  it('ignores a decision older than the one held', () => {
    const rs = make();
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    expect(rs.applyDecision(decision({ ts: 10, mode: 'proxy' }))).toBe('applied');
    expect(rs.applyDecision(decision({ ts: 9, mode: 'serve' }))).toBe('stale');
    expect(rs.get('ns', 'r')?.mode).toBe('proxy');
  });

  it('keeps endpoints that arrive before their revision, routing to them only once it is known', () => {
    const rs = make();
    rs.endpointsChanged('ns', 'r', [ep(1)]);
    expect(rs.get('ns', 'r')).toBeUndefined();
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    expect(rs.get('ns', 'r')?.readyCount).toBe(1);
  });

  it.each([
    { name: 'A = min(numActivators, replicas): 2 of 3 replicas, index 1 → its half', index: 1, replicas: 3, numActivators: 2, want: ['p3', 'p4'] },
    { name: 'index beyond A takes every pod', index: 2, replicas: 3, numActivators: 2, want: ['p1', 'p2', 'p3', 'p4'] },
    { name: 'one replica takes every pod whatever the decision says', index: 0, replicas: 1, numActivators: 5, want: ['p1', 'p2', 'p3', 'p4'] },
  ])('subsets pods: $name', ({ index, replicas, numActivators, want }) => {
    const rs = make(index, replicas);
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    rs.endpointsChanged('ns', 'r', [1, 2, 3, 4].map(ep));
    rs.applyDecision(decision({ numActivators, mode: 'proxy' }));
    expect(rs.get('ns', 'r')?.assigned.map((p) => p.name)).toEqual(want);
  });

  it('a deleted revision fails its waiters with ACT_REVISION_GONE and forgets its decision', async () => {
    const rs = make();
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    rs.applyDecision(decision({ ts: 5 }));
    const waiting = rs.get('ns', 'r')?.acquire({ queueTimeoutMs: 1000 });
    rs.revisionDeleted('ns', 'r');
    await expect(waiting).rejects.toMatchObject({ code: 'ACT_REVISION_GONE' });
    expect(rs.get('ns', 'r')).toBeUndefined();
    rs.revisionUpserted({ namespace: 'ns', revision: 'r', containerConcurrency: 1 });
    expect(rs.get('ns', 'r')?.mode).toBe('proxy');
    rs.closeAll(new ActivatorError('ACT_DRAINING', 'bye'));
  });
});

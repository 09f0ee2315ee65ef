import { describe, expect, it } from '@jest/globals';
import {
  activatorIndex,
  assignedPods,
  assignSlice,
  loadBalancingPolicy,
  podCapacityForActivator,
  revisionBreakerCapacity,
  UNLIMITED_CAPACITY,
} from '@kpa-ts/scaling';

const pods = ['p0', 'p1', 'p2', 'p3', 'p4'];

describe('activator subsetting (kpa.md f)', () => {
  it.each([
    ['unknown index takes all', -1, 2, pods],
    ['one activator takes all', 0, 1, pods],
    ['P = 5, A = 2: activator 0 gets 0, 1 and remnant 4', 0, 2, ['p0', 'p1', 'p4']],
    ['P = 5, A = 2: activator 1 gets 2, 3', 1, 2, ['p2', 'p3']],
    ['P = 5, A = 3: activator 0 gets 0 and remnant 3', 0, 3, ['p0', 'p3']],
    ['P = 5, A = 3: activator 1 gets 1 and remnant 4', 1, 3, ['p1', 'p4']],
    ['P = 5, A = 3: activator 2 gets 2', 2, 3, ['p2']],
    ['A > P: activator 6 of 7 gets pod 6 mod 5 = 1', 6, 7, ['p1']],
  ])('%s', (_name, index, count, want) => {
    expect(assignSlice(pods, index, count)).toEqual(want);
  });

  it('a single pod goes to everyone', () => {
    expect(assignSlice(['p0'], 1, 3)).toEqual(['p0']);
  });

  it('every pod is assigned to exactly one activator when A <= P', () => {
    for (let p = 1; p <= 12; p++) {
      const list = Array.from({ length: p }, (_, i) => `pod-${String(i).padStart(2, '0')}`);
      for (let a = 1; a <= p; a++) {
        const all = Array.from({ length: a }, (_, i) => assignSlice(list, i, a)).flat();
        expect([...all].sort()).toEqual(list);
      }
    }
  });

  it('sorts pods by address and subsets only with a containerConcurrency', () => {
    const addrs = ['10.0.0.9:8012', '10.0.0.10:8012', '10.0.0.2:8012'];
    expect(assignedPods(addrs, 0, 0, 2)).toEqual(['10.0.0.10:8012', '10.0.0.2:8012', '10.0.0.9:8012']);
    expect(assignedPods(addrs, 10, 0, 2)).toEqual(['10.0.0.10:8012', '10.0.0.9:8012']);
    expect(assignedPods(addrs, 10, 1, 2)).toEqual(['10.0.0.2:8012']);
  });

  it('finds its own index among the activators, -1 when absent', () => {
    expect(activatorIndex(['10.0.0.9', '10.0.0.7'], '10.0.0.7')).toBe(0);
    expect(activatorIndex(['10.0.0.9', '10.0.0.7'], '10.0.0.9')).toBe(1);
    expect(activatorIndex(['10.0.0.9'], '10.0.0.1')).toBe(-1);
  });
});

describe('breaker capacity (kpa.md f)', () => {
  it.each([
    ['pod routing: cc × assigned', { containerConcurrency: 10, assignedPods: 2, backends: 5, activators: 2 }, 20],
    ['cluster IP: cc × backends / activators', { containerConcurrency: 10, assignedPods: 0, backends: 3, activators: 4 }, 7],
    ['cluster IP: at least 1 when positive', { containerConcurrency: 1, assignedPods: 0, backends: 1, activators: 4 }, 1],
    ['cluster IP: 0 activators read as 1', { containerConcurrency: 2, assignedPods: 0, backends: 3, activators: 0 }, 6],
    ['cc 0 with a backend: unlimited', { containerConcurrency: 0, assignedPods: 3, backends: 3, activators: 2 }, UNLIMITED_CAPACITY],
    ['no backend: 0 (requests queue)', { containerConcurrency: 0, assignedPods: 0, backends: 0, activators: 2 }, 0],
    ['overflow clamps to MaxInt32', { containerConcurrency: 2 ** 30, assignedPods: 4, backends: 4, activators: 1 }, UNLIMITED_CAPACITY],
  ])('%s', (_name, input, want) => {
    expect(revisionBreakerCapacity(input)).toBe(want);
  });

  it('per-pod capacity is containerConcurrency, unlimited for 0', () => {
    expect(podCapacityForActivator(10)).toBe(10);
    expect(podCapacityForActivator(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [0, 'random-choice-of-2'],
    [1, 'first-available'],
    [3, 'first-available'],
    [4, 'round-robin'],
  ] as const)('cc %p balances by %p', (cc, want) => {
    expect(loadBalancingPolicy(cc)).toBe(want);
  });
});

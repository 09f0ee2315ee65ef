import { describe, expect, it } from '@jest/globals';
import { pickLeastLoaded, type PodLoad } from '@kpa-ts/activator';

const pods = (inFlight: number[], capacity = 2): PodLoad[] => inFlight.map((n) => ({ inFlight: n, capacity }));

describe('pickLeastLoaded', () => {
  it.each([
    { name: 'least in flight wins', inFlight: [2, 0, 1], start: 0, want: 1 },
    { name: 'ties go to the first from start', inFlight: [1, 1, 1], start: 2, want: 2 },
    { name: 'ties wrap around', inFlight: [1, 1, 2], start: 2, want: 0 },
    { name: 'full pods are skipped', inFlight: [2, 2, 1], start: 0, want: 2 },
    { name: 'all full → -1', inFlight: [2, 2], start: 0, want: -1 },
    { name: 'no pods → -1', inFlight: [], start: 0, want: -1 },
  ])('$name', ({ inFlight, start, want }) => {
    expect(pickLeastLoaded(pods(inFlight), start)).toBe(want);
  });

  it('unlimited capacity (Infinity) never fills', () => {
    expect(pickLeastLoaded(pods([1000, 999], Infinity), 0)).toBe(1);
  });

  it('serve mode ignores capacity', () => {
    expect(pickLeastLoaded(pods([5, 3]), 0, { ignoreCapacity: true })).toBe(1);
  });

  it('respects the allowed predicate (retries avoid failed pods)', () => {
    expect(pickLeastLoaded(pods([0, 1]), 0, { allowed: (i) => i !== 0 })).toBe(1);
    expect(pickLeastLoaded(pods([0]), 0, { allowed: () => false })).toBe(-1);
  });

  it('rotating start spreads equal load round-robin', () => {
    const seen = [0, 1, 2, 3].map((s) => pickLeastLoaded(pods([0, 0, 0]), s % 3));
    expect(seen).toEqual([0, 1, 2, 0]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { BucketWindow, bucketCount, goRound, round6, smoothingCoefficient } from '@kpa-ts/scaling';

const T0 = 1_700_000_000_000; // a whole second
const s = (n: number): number => T0 + n * 1000;

function linear(windowMs: number, writes: Array<[number, number]>): BucketWindow {
  const w = new BucketWindow(windowMs, 'linear');
  for (const [sec, v] of writes) w.record(s(sec), v);
  return w;
}

describe('Go rounding', () => {
  it.each([
    [2.5, 3], [-2.5, -3], [0.5, 1], [-0.5, -1], [1.4999, 1], [-1.4999, -1],
  ])('goRound(%p) = %p (half away from zero)', (x, want) => {
    expect(goRound(x)).toBe(want);
  });

  it('round6 keeps 6 decimals', () => {
    expect(round6(10 / 3)).toBe(3.333333);
    expect(round6(2 / 3)).toBe(0.666667);
    expect(round6(-2 / 3)).toBe(-0.666667);
  });
});

describe('bucket counts and alpha', () => {
  it('B = ceil(window / 1 s)', () => {
    expect([bucketCount(60_000), bucketCount(6_000), bucketCount(6_500), bucketCount(1)]).toEqual([60, 6, 7, 1]);
  });

  it('alpha = max(1 - 0.0001^(1/B), 0.2)', () => {
    expect(smoothingCoefficient(6)).toBeCloseTo(1 - Math.pow(0.0001, 1 / 6), 12);
    expect(smoothingCoefficient(6)).toBeCloseTo(0.784557, 6);
    expect(smoothingCoefficient(60)).toBe(0.2); // 0.1423… is floored
  });
});

describe('linear window average (kpa.md a.5)', () => {
  it('averages a partial window over the seconds since the first write', () => {
    // 6 + 12 over 2 seconds, not over the 6 buckets.
    expect(linear(6000, [[0, 6], [1, 12]]).average(s(1))).toBe(9);
  });

  it('sums the values of one second', () => {
    expect(linear(6000, [[0, 6], [0, 4], [1, 2]]).average(s(1))).toBe(6);
  });

  it('averages a full window and slides', () => {
    const w = linear(6000, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    expect(w.average(s(5))).toBe(3.5); // 21 / 6
    w.record(s(6), 7); // the bucket of second 0 is reused: 2..7
    expect(w.average(s(6))).toBe(4.5); // 27 / 6
  });

  it('trailing silence shortens the window instead of counting zeros', () => {
    const w = linear(6000, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    // At 7 s, seconds 6 and 7 are silent: their (stale) buckets are left out, 3 + 4 + 5 + 6 over 4.
    expect(w.average(s(7))).toBe(4.5);
    // A fresh window: 6 + 12 over 2 s; two silent seconds leave min(2, 6 - 2) = 2 buckets.
    expect(linear(6000, [[0, 6], [1, 12]]).average(s(3))).toBe(9);
  });

  it('gaps between writes count as zeros', () => {
    // 6 at 0 s, 6 at 3 s: seconds 1 and 2 are zeroed, 12 over 4 buckets.
    expect(linear(6000, [[0, 6], [3, 6]]).average(s(3))).toBe(3);
  });

  it('rounds to 6 decimals', () => {
    expect(linear(6000, [[0, 10], [1, 0], [2, 0]]).average(s(2))).toBe(3.333333);
  });

  it('ignores a write more than a window older than the newest', () => {
    const w = linear(6000, [[10, 10]]);
    w.record(s(4), 5); // 4 s + 6 s is not after 10 s: too old
    expect(w.average(s(10))).toBe(10);
    w.record(s(5), 5); // a late write inside the window: added, firstWrite moves back to 5 s
    expect(w.average(s(10))).toBe(2.5); // 15 / min(10 - 5 + 1, 6)
  });

  it('a whole window of silence starts afresh', () => {
    const w = linear(6000, [[0, 6]]);
    expect(w.isEmpty(s(6))).toBe(false);
    expect(w.average(s(6))).toBe(0); // 6 s since the write: nothing left in the window
    expect(w.isEmpty(s(7))).toBe(true);
    w.record(s(6), 12);
    expect(w.average(s(6))).toBe(12); // reset: firstWrite = 6 s, the old 6 is gone
  });

  it('is empty before the first write', () => {
    const w = new BucketWindow(6000);
    expect(w.isEmpty(s(0))).toBe(true);
    expect(w.average(s(0))).toBe(0);
    expect(w.lastWriteMs).toBeUndefined();
  });

  it('truncates times to the second', () => {
    const w = new BucketWindow(6000);
    w.record(s(0) + 999, 4);
    w.record(s(1) + 1, 8);
    expect(w.lastWriteMs).toBe(s(1));
    expect(w.average(s(1) + 500)).toBe(6);
  });
});

describe('weighted exponential average (kpa.md a.6)', () => {
  const a = smoothingCoefficient(6);
  const weighted = (writes: Array<[number, number]>): BucketWindow => {
    const w = new BucketWindow(6000, 'weighted-exponential');
    for (const [sec, v] of writes) w.record(s(sec), v);
    return w;
  };

  it('weights the newest bucket by alpha, without normalising', () => {
    expect(weighted([[0, 10]]).average(s(0))).toBeCloseTo(10 * a, 12);
  });

  it('older buckets decay by (1 - alpha) each', () => {
    const got = weighted([[0, 10], [1, 20], [2, 30]]).average(s(2));
    expect(got).toBeCloseTo(30 * a + 20 * a * (1 - a) + 10 * a * (1 - a) ** 2, 12);
  });

  it('trailing silence consumes weight', () => {
    expect(weighted([[0, 10]]).average(s(2))).toBeCloseTo(10 * a * (1 - a) ** 2, 12);
  });

  it('gaps are zeros', () => {
    const got = weighted([[0, 10], [2, 10]]).average(s(2));
    expect(got).toBeCloseTo(10 * a + 10 * a * (1 - a) ** 2, 12);
  });

  it('is 0 once a window has passed', () => {
    const w = weighted([[0, 10]]);
    expect(w.average(s(7))).toBe(0);
  });
});

describe('resize (Knative ResizeWindow)', () => {
  it('shrinking keeps the newest buckets', () => {
    const w = linear(6000, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    w.resize(3000, s(5));
    expect(w.windowMs).toBe(3000);
    expect(w.average(s(5))).toBe(5); // 4 + 5 + 6 over 3
  });

  it('growing keeps everything and counts the new seconds', () => {
    const w = linear(3000, [[3, 4], [4, 5], [5, 6]]);
    w.resize(6000, s(5));
    expect(w.average(s(5))).toBe(5); // firstWrite = 5 s - 2 s: 3 buckets
    w.record(s(6), 7);
    expect(w.average(s(6))).toBe(5.5); // 22 / 4
  });

  it('moves firstWrite back a whole old window, as Knative does', () => {
    // A fresh 60 s window holding 2 s of data averages over 2 buckets, but after a resize to
    // 30 s Knative sets firstWrite = lastWrite - 59 s, so the average is over 30 buckets.
    const w = linear(60_000, [[0, 30], [1, 30]]);
    expect(w.average(s(1))).toBe(30);
    w.resize(30_000, s(1));
    expect(w.average(s(1))).toBe(2);
  });

  it('drops stale data', () => {
    const w = linear(6000, [[0, 6]]);
    w.resize(60_000, s(10)); // no write within the old 6 s window: start empty
    expect(w.average(s(10))).toBe(0);
    w.record(s(11), 5);
    expect(w.average(s(11))).toBe(5);
  });

  it('can switch the algorithm', () => {
    const w = linear(6000, [[0, 10]]);
    w.resize(6000, s(0), 'weighted-exponential');
    expect(w.algorithm).toBe('weighted-exponential');
    expect(w.average(s(0))).toBeCloseTo(10 * smoothingCoefficient(6), 12);
  });
});

describe('lanes (parallel series sharing the time bookkeeping)', () => {
  it('each lane averages like a window of its own', () => {
    const two = new BucketWindow(6000, 'linear', 2);
    const a = new BucketWindow(6000);
    const b = new BucketWindow(6000);
    const writes: Array<[number, number, number]> = [[0, 1, 10], [1, 2, 20], [4, 3, 30], [12, 4, 40], [13, 5, 50], [11, 6, 60]];
    for (const [sec, x, y] of writes) {
      two.record2(s(sec), x, y);
      a.record(s(sec), x);
      b.record(s(sec), y);
    }
    for (const now of [13, 14, 16, 20]) {
      expect([two.average(s(now), 0), two.average(s(now), 1)]).toEqual([a.average(s(now)), b.average(s(now))]);
    }
    two.resize(3000, s(13));
    a.resize(3000, s(13));
    b.resize(3000, s(13));
    expect([two.average(s(13), 0), two.average(s(13), 1)]).toEqual([a.average(s(13)), b.average(s(13))]);
  });
});

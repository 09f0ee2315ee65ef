import { describe, expect, it } from '@jest/globals';
import { MaxTimeWindow } from '@kpa-ts/scaling';

describe('MaxTimeWindow (kpa.md d.7)', () => {
  it('is 0 before any record', () => {
    expect(new MaxTimeWindow(10_000).current()).toBe(0);
  });

  it('holds the maximum of the last ceil(D / 2 s) buckets', () => {
    const w = new MaxTimeWindow(10_000); // 5 buckets
    w.record(2000, 5); // index 1
    w.record(4000, 2); // index 2
    expect(w.current()).toBe(5);
    w.record(10_000, 2); // index 5: 5 - 1 < 5, still inside
    expect(w.current()).toBe(5);
    w.record(12_000, 2); // index 6: 6 - 1 >= 5, out
    expect(w.current()).toBe(2);
  });

  it('a larger value replaces smaller older ones at once', () => {
    const w = new MaxTimeWindow(10_000);
    w.record(2000, 3);
    w.record(4000, 7);
    expect(w.current()).toBe(7);
  });

  it('keeps the max of one bucket', () => {
    const w = new MaxTimeWindow(10_000);
    w.record(2000, 3);
    w.record(3000, 1); // same index (1)
    expect(w.current()).toBe(3);
    w.record(3500, 9);
    expect(w.current()).toBe(9);
  });

  it('falls through descending values as they expire', () => {
    const w = new MaxTimeWindow(6000); // 3 buckets
    w.recordIndex(0, 9);
    w.recordIndex(1, 6);
    w.recordIndex(2, 3);
    expect(w.current()).toBe(9);
    w.recordIndex(3, 1);
    expect(w.current()).toBe(6);
    w.recordIndex(4, 1);
    expect(w.current()).toBe(3);
    w.recordIndex(5, 1);
    expect(w.current()).toBe(1);
  });

  it('a 5 s delay rounds up to 3 buckets', () => {
    const w = new MaxTimeWindow(5000);
    w.recordIndex(0, 4);
    w.recordIndex(2, 0);
    expect(w.current()).toBe(4);
    w.recordIndex(3, 0);
    expect(w.current()).toBe(0);
  });
});

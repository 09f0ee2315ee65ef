import { describe, expect, it } from '@jest/globals';
import { compareStreamIds, reconnectDelayMs, RECONNECT_MAX_MS, RECONNECT_MIN_MS } from '@kpa-ts/bus';

describe('reconnectDelayMs', () => {
  it.each([
    [1, 50],
    [2, 100],
    [3, 200],
    [5, 800],
    [6, 1_600],
    [7, 2_000], // capped
    [1_000, 2_000], // still capped, no overflow
  ])('attempt %i waits %i ms', (attempt, want) => {
    expect(reconnectDelayMs(attempt)).toBe(want);
  });

  it('stays within [min, max] for any attempt', () => {
    for (let a = 0; a < 200; a++) {
      expect(reconnectDelayMs(a)).toBeGreaterThanOrEqual(RECONNECT_MIN_MS);
      expect(reconnectDelayMs(a)).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    }
  });
});

describe('compareStreamIds', () => {
  it.each([
    ['1-0', '2-0', -1],
    ['2-0', '1-5', 1],
    ['5-1', '5-1', 0],
    ['5-2', '5-10', -1], // numeric, not lexicographic
    ['1700000000000-0', '999999999999-9', 1],
    ['18446744073709551615-0', '18446744073709551614-99', 1], // beyond 2^53
    ['0-0', '0-1', -1],
  ])('%s vs %s → %i', (a, b, want) => {
    expect(Math.sign(compareStreamIds(a, b))).toBe(want);
  });
});

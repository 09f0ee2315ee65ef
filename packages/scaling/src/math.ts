// Go's float rounding, which Knative's numbers depend on.

/** Go's `math.Round`: the nearest integer, halves rounded away from zero (JS rounds them up). */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Knative's `round6` for window averages: `math.Round(x × 1e6) / 1e6`.
 * E.g. 10/3 → 3.333333, 2/3 → 0.666667, -2.5e-6 → -3e-6 (away from zero).
 */
export function round6(x: number): number {
  return goRound(x * 1e6) / 1e6;
}

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** Go's `int32(f)` for the values we produce: truncation toward zero, kept inside int32. */
export function toInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(INT32_MAX, Math.max(INT32_MIN, Math.trunc(x)));
}

export const MAX_INT32 = INT32_MAX;

/** What the picker needs to know of a pod. */
export interface PodLoad {
  inFlight: number;
  /** Infinity = unlimited */
  capacity: number;
}

export function hasFreeCapacity(p: PodLoad): boolean {
  return p.inFlight < p.capacity;
}

export interface PickOptions {
  /** Serve mode: capacity is not enforced, plain least-in-flight. */
  ignoreCapacity?: boolean;
  /** A pod index the caller may not use (e.g. one a retry already failed on) → false. */
  allowed?: (i: number) => boolean;
}

/**
 * Pure: the index of the pod with the least in-flight requests among those with free capacity
 * (and allowed), or -1. Ties go to the first such pod at or after `start` (wrapping), so callers
 * rotating `start` spread equal load round-robin.
 * E.g. inFlight [2, 1, 1], capacity 2, start 2 → index 2 (1 in flight, the first tie from 2 on).
 */
export function pickLeastLoaded(pods: readonly PodLoad[], start: number, opts: PickOptions = {}): number {
  const n = pods.length;
  let best = -1;
  let bestLoad = Infinity;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    const p = pods[i];
    if (p === undefined || (!opts.ignoreCapacity && !hasFreeCapacity(p))) continue;
    if (opts.allowed !== undefined && !opts.allowed(i)) continue;
    if (p.inFlight < bestLoad) {
      best = i;
      bestLoad = p.inFlight;
      if (bestLoad === 0) break;
    }
  }
  return best;
}

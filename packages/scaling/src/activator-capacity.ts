// The activator's throttling numbers (kpa.md f), pure: which pods this activator sends to, how
// many requests each may hold, and the capacity of its revision breaker.
import { MAX_INT32 } from './math.js';

/** How the activator picks a pod (Knative's throttler): by containerConcurrency. */
export type LoadBalancingPolicy = 'random-choice-of-2' | 'first-available' | 'round-robin';

/** cc 0 (unlimited) → random choice of 2; cc ≤ 3 → first available; else round robin. */
export function loadBalancingPolicy(containerConcurrency: number): LoadBalancingPolicy {
  if (containerConcurrency === 0) return 'random-choice-of-2';
  return containerConcurrency <= 3 ? 'first-available' : 'round-robin';
}

/** Knative's revision breaker queue depth and its stand-in for "unlimited" capacity. */
export const BREAKER_QUEUE_DEPTH = 10_000;
export const UNLIMITED_CAPACITY = MAX_INT32;

/** Sorts by plain code-unit order (Go's string `<`), not locale order. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * This activator's index among the activators (sorted by address), -1 when it is not among them
 * (then it takes every pod). E.g. self 10.0.0.7 in [10.0.0.9, 10.0.0.7] → 0.
 */
export function activatorIndex(activatorAddresses: readonly string[], self: string): number {
  return [...activatorAddresses].sort(byCodeUnits).indexOf(self);
}

/**
 * Activator subsetting: the slice of the (address-sorted) pods that activator `index` of `count`
 * sends to. Everyone takes all pods when the index is unknown (-1), there is ≤ 1 pod or 1
 * activator; with more activators than pods activator i takes pod i mod P; otherwise a contiguous
 * slice of floor(P / A) pods, and the first P mod A activators one remnant pod each from the end.
 * E.g. P = 5, A = 2: activator 0 → pods 0, 1 + remnant 4; activator 1 → pods 2, 3.
 */
export function assignSlice<T>(pods: readonly T[], index: number, count: number): T[] {
  const p = pods.length;
  if (index === -1 || p <= 1 || count <= 1) return [...pods];
  if (count > p) return [pods[index % p]!];
  const size = Math.floor(p / count);
  const assigned = pods.slice(index * size, index * size + size);
  const remnant = p % count;
  if (remnant > 0 && index < remnant) assigned.push(pods[p - remnant + index]!);
  return assigned;
}

/**
 * The pods this activator routes to, sorted by address: a subset only when containerConcurrency
 * > 0 (an unlimited revision is balanced over every pod by every activator).
 */
export function assignedPods(podAddresses: readonly string[], containerConcurrency: number, index: number, count: number): string[] {
  const sorted = [...podAddresses].sort(byCodeUnits);
  return containerConcurrency > 0 ? assignSlice(sorted, index, count) : sorted;
}

/**
 * Requests one activator may have in flight to one of its pods (the per-pod tracker's breaker):
 * containerConcurrency, or Infinity when it is 0 (no per-pod limit).
 */
export function podCapacityForActivator(containerConcurrency: number): number {
  return containerConcurrency > 0 ? containerConcurrency : Number.POSITIVE_INFINITY;
}

export interface BreakerCapacityInput {
  containerConcurrency: number;
  /** Pods assigned to this activator (pod routing); 0 when routing through a cluster IP. */
  assignedPods: number;
  /** Routable backends of the revision (ready pods); 0 when none has an address. */
  backends: number;
  /** Activators in the revision's path. */
  activators: number;
}

/**
 * Capacity of this activator's revision breaker: cc × assigned pods with pod routing; with a
 * cluster IP cc × backends shared across the activators (at least 1 when positive). Unlimited
 * (MaxInt32) when there is a backend and cc is 0 or the product overflows. 0 → requests queue.
 * E.g. cc 10, 2 assigned → 20; cluster IP, cc 10, 3 backends, 4 activators → max(1, floor(30/4)) = 7.
 */
export function revisionBreakerCapacity(input: BreakerCapacityInput): number {
  const cc = input.containerConcurrency;
  let capacity: number;
  if (input.assignedPods > 0) {
    capacity = cc * input.assignedPods;
  } else {
    capacity = cc * input.backends;
    if (capacity > 0) capacity = Math.max(1, Math.floor(capacity / Math.max(1, input.activators)));
  }
  if (input.backends > 0 && (cc === 0 || capacity > UNLIMITED_CAPACITY)) capacity = UNLIMITED_CAPACITY;
  return capacity;
}

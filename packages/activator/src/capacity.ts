/**
 * The activator's share of a revision's pods and its breaker capacity (kpa.md f). The math lives in
 * @kpa-ts/scaling (pure); this module only adapts it to the throttler's types.
 */
import { assignedPods, podCapacityForActivator, revisionBreakerCapacity } from '@kpa-ts/scaling';

export interface SubsetInput {
  /** Pod addresses (`ip:port`), any order. */
  dests: readonly string[];
  containerConcurrency: number;
  /** This activator's index among the activators serving the revision; -1 = unknown (take all pods). */
  index: number;
  /** How many activators serve the revision. */
  activators: number;
}

export interface CapacityPolicy {
  /** The destinations this activator may route to in Proxy mode, sorted by address. */
  assignedDests(input: SubsetInput): string[];
  /** In-flight requests one pod may hold from this activator (Infinity = unlimited). */
  podCapacity(containerConcurrency: number): number;
  /** This activator's revision breaker capacity (UNLIMITED_CAPACITY when cc = 0 and a pod exists). */
  breakerCapacity(containerConcurrency: number, assigned: number, backends: number, activators: number): number;
}

export const defaultCapacityPolicy: CapacityPolicy = {
  assignedDests: ({ dests, containerConcurrency, index, activators }) => assignedPods(dests, containerConcurrency, index, activators),
  podCapacity: (cc) => podCapacityForActivator(cc),
  breakerCapacity: (cc, assigned, backends, activators) =>
    revisionBreakerCapacity({ containerConcurrency: cc, assignedPods: assigned, backends, activators }),
};

import type { PodInfo } from './types.js';

export interface ReconcilePlan {
  /** How many pods to create. */
  create: number;
  /** Names of the pods to terminate, in order. */
  terminate: string[];
}

// Phase progress for ranking: the less far a pod got, the cheaper it is to delete.
const PHASE_RANK = { pending: 0, running: 1, ready: 2, terminating: -1 } as const;

/**
 * Orders pods for deletion like a ReplicaSet (controller.ActivePodsWithRanks, simplified):
 * not ready before ready, pending before running, then the most recently ready, then the newest.
 * Negative: `a` is deleted first.
 */
export function compareForDeletion(a: PodInfo, b: PodInfo): number {
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.phase !== b.phase) return PHASE_RANK[a.phase] - PHASE_RANK[b.phase];
  const readyA = a.readyAtMs ?? 0;
  const readyB = b.readyAtMs ?? 0;
  if (readyA !== readyB) return readyB - readyA;
  if (a.createdAtMs !== b.createdAtMs) return b.createdAtMs - a.createdAtMs;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/**
 * What to do to reach `replicas` given the current pods. Terminating pods no longer count (they are
 * on their way out, like pods with a deletionTimestamp); creation may be held back (crash backoff)
 * by the caller.
 */
export function planReconcile(replicas: number, pods: readonly PodInfo[]): ReconcilePlan {
  const active = pods.filter((p) => p.phase !== 'terminating');
  if (active.length < replicas) return { create: replicas - active.length, terminate: [] };
  const excess = active.length - replicas;
  if (excess === 0) return { create: 0, terminate: [] };
  const victims = [...active].sort(compareForDeletion).slice(0, excess);
  return { create: 0, terminate: victims.map((p) => p.name) };
}

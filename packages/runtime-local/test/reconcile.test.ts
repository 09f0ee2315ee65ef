import { describe, expect, it } from '@jest/globals';
import { planReconcile, type PodInfo, type PodPhase } from '@kpa-ts/runtime-local';

function pod(name: string, phase: PodPhase, createdAtMs: number, readyAtMs?: number): PodInfo {
  const p: PodInfo = { name, namespace: 'ns', revision: 'r', ip: '127.1.0.1', port: 8012, phase, ready: phase === 'ready', createdAtMs };
  if (readyAtMs !== undefined) p.readyAtMs = readyAtMs;
  return p;
}

describe('planReconcile', () => {
  it.each<{ name: string; replicas: number; pods: PodInfo[]; want: { create: number; terminate: string[] } }>([
    { name: 'nothing to do at 0', replicas: 0, pods: [], want: { create: 0, terminate: [] } },
    { name: '0 → 3 creates 3', replicas: 3, pods: [], want: { create: 3, terminate: [] } },
    { name: 'steady', replicas: 2, pods: [pod('a', 'ready', 1, 5), pod('b', 'running', 2)], want: { create: 0, terminate: [] } },
    {
      name: 'terminating pods do not count: a replacement is created at once',
      replicas: 2,
      pods: [pod('a', 'ready', 1, 5), pod('b', 'terminating', 2)],
      want: { create: 1, terminate: [] },
    },
    {
      name: 'not-ready before ready, even when the ready one is newer',
      replicas: 1,
      pods: [pod('old-running', 'running', 1), pod('new-ready', 'ready', 9, 10)],
      want: { create: 0, terminate: ['old-running'] },
    },
    {
      name: 'pending before running',
      replicas: 1,
      pods: [pod('running', 'running', 5), pod('pending', 'pending', 1)],
      want: { create: 0, terminate: ['pending'] },
    },
    {
      name: 'among ready pods: the most recently ready first, then the newest',
      replicas: 1,
      pods: [pod('a', 'ready', 1, 10), pod('b', 'ready', 2, 30), pod('c', 'ready', 3, 20)],
      want: { create: 0, terminate: ['b', 'c'] },
    },
    {
      name: 'same readiness time: the newest first',
      replicas: 1,
      pods: [pod('a', 'ready', 1, 10), pod('b', 'ready', 3, 10), pod('c', 'ready', 2, 10)],
      want: { create: 0, terminate: ['b', 'c'] },
    },
    {
      name: '3 → 0 terminates all, not-ready first',
      replicas: 0,
      pods: [pod('a', 'ready', 1, 2), pod('b', 'pending', 3), pod('c', 'running', 2)],
      want: { create: 0, terminate: ['b', 'c', 'a'] },
    },
    {
      name: 'already-terminating pods are not terminated again',
      replicas: 1,
      pods: [pod('a', 'ready', 1, 2), pod('b', 'terminating', 3), pod('c', 'ready', 2, 3)],
      want: { create: 0, terminate: ['c'] },
    },
  ])('$name', ({ replicas, pods, want }) => {
    expect(planReconcile(replicas, pods)).toEqual(want);
  });
});

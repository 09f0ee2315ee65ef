// The simulated cluster: pods that become ready a start delay after they are created and linger,
// not ready, for a stop delay after they are removed. Time is passed in; nothing sleeps.

export interface SimPod {
  name: string;
  readyAtMs: number;
  /** Set once the pod is removed: from then on it is not ready; it is gone at this time. */
  goneAtMs: number | undefined;
}

export interface PodCounts {
  ready: number;
  starting: number;
  terminating: number;
  /** The replica count last applied (the Deployment's spec.replicas). */
  replicas: number;
}

export interface ClusterSpec {
  podStartDelayMs: number;
  podStopDelayMs: number;
}

export interface SimCluster {
  /** Drops pods whose stop delay has passed. */
  advance(nowMs: number): void;
  readyPods(nowMs: number): SimPod[];
  counts(nowMs: number): PodCounts;
  replicas(): number;
  /** Applies a replica count: new pods start now; removed pods are the not-yet-ready, then the newest. */
  scaleTo(replicas: number, nowMs: number): void;
}

const isLive = (p: SimPod): boolean => p.goneAtMs === undefined;
const isReady = (p: SimPod, nowMs: number): boolean => isLive(p) && p.readyAtMs <= nowMs;

export function createCluster(spec: ClusterSpec, init: { nowMs: number; readyPods: number }): SimCluster {
  let pods: SimPod[] = [];
  let created = 0;
  let replicas = init.readyPods;
  const addPod = (readyAtMs: number): void => {
    created += 1;
    pods.push({ name: `pod-${created}`, readyAtMs, goneAtMs: undefined });
  };
  for (let i = 0; i < init.readyPods; i += 1) addPod(init.nowMs);

  const removeOne = (nowMs: number): void => {
    const live = pods.filter(isLive);
    const starting = live.filter((p) => !isReady(p, nowMs));
    const victim = starting.at(-1) ?? live.at(-1);
    if (victim) victim.goneAtMs = nowMs + spec.podStopDelayMs;
  };

  return {
    advance(nowMs) {
      pods = pods.filter((p) => p.goneAtMs === undefined || p.goneAtMs > nowMs);
    },
    readyPods: (nowMs) => pods.filter((p) => isReady(p, nowMs)),
    counts(nowMs) {
      const live = pods.filter(isLive);
      const ready = live.filter((p) => isReady(p, nowMs)).length;
      return { ready, starting: live.length - ready, terminating: pods.length - live.length, replicas };
    },
    replicas: () => replicas,
    scaleTo(target, nowMs) {
      replicas = target;
      let live = pods.filter(isLive).length;
      for (; live < target; live += 1) addPod(nowMs + spec.podStartDelayMs);
      for (; live > target; live -= 1) removeOne(nowMs);
    },
  };
}

// The Pod status the kubelet reports, computed from what its processes are doing. Pure: the
// worker passes the container views, the previous conditions (for lastTransitionTime) and now.
export type ContainerState =
  | { running: { startedAt: string } }
  | { waiting: { reason: string; message?: string } }
  | { terminated: TerminatedState };

export interface TerminatedState {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
}

export interface ContainerView {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: { terminated: TerminatedState };
  ready: boolean;
  started: boolean;
  restartCount: number;
}

export interface PodView {
  podIP: string | undefined;
  hostIP: string;
  startTime: string;
  containers: readonly ContainerView[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  lastProbeTime: null;
  reason?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Kubernetes' phase rules for a pod without init containers. */
export function podPhase(containers: readonly ContainerView[]): PodPhase {
  if (containers.length > 0 && containers.every((c) => 'terminated' in c.state)) {
    return containers.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  const begun = containers.some((c) => 'running' in c.state || 'terminated' in c.state || c.restartCount > 0 || c.lastState !== undefined);
  return begun ? 'Running' : 'Pending';
}

function condition(type: string, ok: boolean, previous: readonly PodCondition[] | undefined, nowIso: string, reason?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const lastTransitionTime = prev !== undefined && prev.status === status ? prev.lastTransitionTime : nowIso;
  return { type, status, lastTransitionTime, lastProbeTime: null, ...(ok || reason === undefined ? {} : { reason }) };
}

/**
 * The pod's `status`: phase, the five conditions (PodScheduled, PodReadyToStartContainers,
 * Initialized, ContainersReady, Ready), IPs, start time and containerStatuses.
 */
export function buildPodStatus(view: PodView, previous: readonly PodCondition[] | undefined, nowIso: string): Record<string, unknown> {
  const phase = podPhase(view.containers);
  const allReady = view.containers.length > 0 && view.containers.every((c) => c.ready);
  const notReady = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const reason = phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady';
  const conditions = [
    condition('PodReadyToStartContainers', view.podIP !== undefined, previous, nowIso),
    condition('Initialized', true, previous, nowIso),
    condition('Ready', allReady, previous, nowIso, reason),
    condition('ContainersReady', allReady, previous, nowIso, reason),
    condition('PodScheduled', true, previous, nowIso),
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    startTime: view.startTime,
    containerStatuses: view.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `process-kubelet://${c.image}`,
      containerID: `process://${c.name}`,
      state: c.state,
      lastState: c.lastState ?? {},
      ready: c.ready,
      started: c.started,
      restartCount: c.restartCount,
    })),
  };
  if (notReady.length > 0 && reason === 'ContainersNotReady') {
    const message = `containers with unready status: [${notReady.join(' ')}]`;
    for (const c of conditions) if (c.status === 'False' && (c.type === 'Ready' || c.type === 'ContainersReady')) Object.assign(c, { message });
  }
  if (view.podIP !== undefined) {
    status['podIP'] = view.podIP;
    status['podIPs'] = [{ ip: view.podIP }];
  }
  return status;
}

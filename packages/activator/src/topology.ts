/**
 * The Pod watcher interface (Render's design: watch Pods, route to Pod IPs, no per-app Services).
 * A source reports revisions and, per revision, the full current endpoint list; the activator only
 * routes to READY endpoints of a KNOWN revision.
 */
export interface RevisionInfo {
  namespace: string;
  revision: string;
  /** Per-pod capacity; 0 = unlimited. */
  containerConcurrency: number;
  /** Time the pod has to start answering a request; default from the activator's config. */
  timeoutSeconds?: number;
}

export interface Endpoint {
  /** Pod name (unique within the revision). */
  pod: string;
  ip: string;
  port: number;
  ready: boolean;
}

export interface TopologyListener {
  revisionUpserted(r: RevisionInfo): void;
  revisionDeleted(namespace: string, revision: string): void;
  /** The complete endpoint list of a revision (not a delta). */
  endpointsChanged(namespace: string, revision: string, eps: Endpoint[]): void;
}

export interface TopologySource {
  /** Replays the current state to `l`, then reports every change until `stop()`. */
  start(l: TopologyListener): Promise<void>;
  stop(): Promise<void>;
}

export function revisionKey(namespace: string, revision: string): string {
  return `${namespace}/${revision}`;
}

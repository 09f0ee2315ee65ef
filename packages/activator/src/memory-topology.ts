import { revisionKey, type Endpoint, type RevisionInfo, type TopologyListener, type TopologySource } from './topology.js';

/**
 * An in-memory TopologySource: tests drive it by hand, and adapters (local runtime, Kubernetes Pod
 * informer) feed it. Endpoints may be set before their revision is known; they are kept and
 * reported, and the activator ignores them until the revision appears.
 */
export interface MemoryTopology extends TopologySource {
  upsertRevision(r: RevisionInfo): void;
  deleteRevision(namespace: string, revision: string): void;
  setEndpoints(namespace: string, revision: string, eps: Endpoint[]): void;
  /** A copy of what is currently known. */
  snapshot(): { revisions: RevisionInfo[]; endpoints: Record<string, Endpoint[]> };
}

export function createMemoryTopology(initial: { revisions?: RevisionInfo[]; endpoints?: Record<string, Endpoint[]> } = {}): MemoryTopology {
  const revisions = new Map<string, RevisionInfo>();
  const endpoints = new Map<string, Endpoint[]>();
  let listener: TopologyListener | undefined;

  for (const r of initial.revisions ?? []) revisions.set(revisionKey(r.namespace, r.revision), { ...r });
  for (const [key, eps] of Object.entries(initial.endpoints ?? {})) endpoints.set(key, eps.map((e) => ({ ...e })));

  const split = (key: string): [string, string] => {
    const i = key.indexOf('/');
    return [key.slice(0, i), key.slice(i + 1)];
  };

  return {
    async start(l) {
      listener = l;
      for (const r of revisions.values()) l.revisionUpserted({ ...r });
      for (const [key, eps] of endpoints) {
        const [ns, rev] = split(key);
        l.endpointsChanged(ns, rev, eps.map((e) => ({ ...e })));
      }
    },
    async stop() {
      listener = undefined;
    },
    upsertRevision(r) {
      revisions.set(revisionKey(r.namespace, r.revision), { ...r });
      listener?.revisionUpserted({ ...r });
    },
    deleteRevision(namespace, revision) {
      const key = revisionKey(namespace, revision);
      revisions.delete(key);
      endpoints.delete(key);
      listener?.revisionDeleted(namespace, revision);
    },
    setEndpoints(namespace, revision, eps) {
      const copy = eps.map((e) => ({ ...e }));
      endpoints.set(revisionKey(namespace, revision), copy);
      listener?.endpointsChanged(namespace, revision, copy.map((e) => ({ ...e })));
    },
    snapshot() {
      return {
        revisions: [...revisions.values()].map((r) => ({ ...r })),
        endpoints: Object.fromEntries([...endpoints].map(([k, eps]) => [k, eps.map((e) => ({ ...e }))])),
      };
    },
  };
}

// A ScaleBackend in memory, for tests and dry runs: revisions are added by hand, `scale` sets the
// replicas, and pods become ready only when the test says so (or at once with `autoReady`).
import type { ManagedRevision, RevisionListener, ScaleBackend } from './ports.js';
import { revisionId } from './managed-revision.js';

export interface MemoryRevision {
  spec: ManagedRevision;
  replicas: number;
  ready: number;
  /** When set, readyPods/getScale of this revision throw it. */
  failure: Error | undefined;
}

export interface ScaleCall {
  namespace: string;
  revision: string;
  replicas: number;
}

export interface MemoryBackend extends ScaleBackend {
  /** Adds or changes a revision (reported to the listener once started). */
  upsert(r: ManagedRevision, replicas?: number): void;
  delete(namespace: string, revision: string): void;
  /** Makes `ready` pods ready (default: as many as the replicas). */
  setReady(namespace: string, revision: string, ready?: number): void;
  /** readyPods/getScale fail with `err` until called again with undefined. */
  setFailure(namespace: string, revision: string, err: Error | undefined): void;
  get(namespace: string, revision: string): MemoryRevision | undefined;
  /** Every scale call, in order. */
  readonly calls: readonly ScaleCall[];
}

/** `autoReady`: pods are ready as soon as they are asked for (no start-up time). */
export function createMemoryBackend(opts: { autoReady?: boolean } = {}): MemoryBackend {
  const revisions = new Map<string, MemoryRevision>();
  const calls: ScaleCall[] = [];
  let listener: RevisionListener | undefined;
  const find = (ns: string, rev: string): MemoryRevision => {
    const r = revisions.get(revisionId(ns, rev));
    if (r === undefined) throw new Error(`revision ${revisionId(ns, rev)} not found`);
    if (r.failure !== undefined) throw r.failure;
    return r;
  };
  return {
    async start(l) {
      listener = l;
      for (const r of revisions.values()) l.revisionUpserted(r.spec);
    },
    async stop() {
      listener = undefined;
    },
    async readyPods(ns, rev) {
      return find(ns, rev).ready;
    },
    async getScale(ns, rev) {
      return find(ns, rev).replicas;
    },
    async scale(ns, rev, replicas) {
      const r = find(ns, rev);
      calls.push({ namespace: ns, revision: rev, replicas });
      r.replicas = replicas;
      if (opts.autoReady || r.ready > replicas) r.ready = replicas;
    },
    upsert(spec, replicas) {
      const id = revisionId(spec.namespace, spec.revision);
      const old = revisions.get(id);
      const n = replicas ?? old?.replicas ?? 0;
      revisions.set(id, { spec, replicas: n, ready: old?.ready ?? (opts.autoReady ? n : 0), failure: old?.failure });
      listener?.revisionUpserted(spec);
    },
    delete(ns, rev) {
      revisions.delete(revisionId(ns, rev));
      listener?.revisionDeleted(ns, rev);
    },
    setReady(ns, rev, ready) {
      const r = revisions.get(revisionId(ns, rev));
      if (r !== undefined) r.ready = ready ?? r.replicas;
    },
    setFailure(ns, rev, err) {
      const r = revisions.get(revisionId(ns, rev));
      if (r !== undefined) r.failure = err;
    },
    get: (ns, rev) => revisions.get(revisionId(ns, rev)),
    calls,
  };
}

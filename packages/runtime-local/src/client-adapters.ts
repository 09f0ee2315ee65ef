// The runtime API seen as the activator's TopologySource and the autoscaler's ScaleBackend. Both
// interfaces are restated here structurally (this package imports neither of those packages).
import type { Logger } from 'pino';
import { RuntimeApiError } from './client-errors.js';
import { requestJson, revisionPath, type HttpTarget } from './client-http.js';
import { RuntimeWatcher, type WatchHandler, type WatchOptions } from './client-watch.js';
import { podInfoSchema, scaleResourceSchema, type RevisionResource } from './server-api.js';
import type { PodInfo } from './types.js';
import { z } from 'zod';

/** The activator's RevisionInfo. */
export interface TopologyRevision {
  namespace: string;
  revision: string;
  containerConcurrency: number;
  timeoutSeconds?: number;
}
/** The activator's Endpoint. */
export interface TopologyEndpoint {
  pod: string;
  ip: string;
  port: number;
  ready: boolean;
}
export interface TopologyListenerLike {
  revisionUpserted(r: TopologyRevision): void;
  revisionDeleted(namespace: string, revision: string): void;
  endpointsChanged(namespace: string, revision: string, eps: TopologyEndpoint[]): void;
}
export interface TopologySourceLike {
  start(l: TopologyListenerLike): Promise<void>;
  stop(): Promise<void>;
}

/** The autoscaler's ManagedRevision. */
export interface ManagedRevisionLike {
  namespace: string;
  revision: string;
  annotations: Record<string, string>;
  containerConcurrency: number;
}
export interface ScaleBackendListenerLike {
  revisionUpserted(r: ManagedRevisionLike): void;
  revisionDeleted(namespace: string, revision: string): void;
}
export interface ScaleBackendLike {
  start(l: ScaleBackendListenerLike): Promise<void>;
  readyPods(namespace: string, revision: string): Promise<number>;
  getScale(namespace: string, revision: string): Promise<number>;
  scale(namespace: string, revision: string, replicas: number): Promise<void>;
  stop(): Promise<void>;
}

export interface AdapterOptions extends WatchOptions {
  /** start() rejects (API_UNREACHABLE) when the first list has not arrived within this. Default 30 000. */
  startTimeoutMs?: number;
  logger?: Logger;
}

const keyOf = (namespace: string, revision: string): string => `${namespace}/${revision}`;

/** Pods with an address, as endpoints; terminating pods are never ready. */
export function endpointsOf(pods: readonly PodInfo[]): TopologyEndpoint[] {
  return pods.filter((p) => p.ip !== '').map((p) => ({ pod: p.name, ip: p.ip, port: p.port, ready: p.ready && p.phase !== 'terminating' }));
}

function topologyRevision(r: RevisionResource): TopologyRevision {
  return { namespace: r.namespace, revision: r.revision, containerConcurrency: r.containerConcurrency, ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}) };
}

function managedRevision(r: RevisionResource): ManagedRevisionLike {
  return { namespace: r.namespace, revision: r.revision, annotations: { ...r.annotations }, containerConcurrency: r.containerConcurrency };
}

/** Calls `emit` only when the value for `key` differs from the last one emitted. */
class Dedup {
  readonly #last = new Map<string, string>();
  changed(key: string, value: unknown): boolean {
    const json = JSON.stringify(value);
    if (this.#last.get(key) === json) return false;
    this.#last.set(key, json);
    return true;
  }
  forget(key: string): void {
    this.#last.delete(key);
  }
}

async function startWatcher(w: RuntimeWatcher, timeoutMs: number, url: string): Promise<void> {
  w.start();
  if (await w.whenSynced(timeoutMs)) return;
  await w.stop();
  throw new RuntimeApiError('API_UNREACHABLE', `runtime API ${url}: no watch list within ${timeoutMs} ms`);
}

/** A TopologySource fed by the runtime's watch: revisions with their pods as endpoints. */
export function makeTopologySource(t: HttpTarget, opts: AdapterOptions): TopologySourceLike {
  let watcher: RuntimeWatcher | undefined;
  return {
    async start(l) {
      const revs = new Dedup();
      const eps = new Dedup();
      const handler: WatchHandler = {
        revisionUpserted: (r) => {
          if (revs.changed(keyOf(r.namespace, r.revision), topologyRevision(r))) l.revisionUpserted(topologyRevision(r));
        },
        revisionDeleted: (ns, rev) => {
          revs.forget(keyOf(ns, rev));
          eps.forget(keyOf(ns, rev));
          l.revisionDeleted(ns, rev);
        },
        podsChanged: (ns, rev, pods) => {
          const list = endpointsOf(pods);
          if (eps.changed(keyOf(ns, rev), list)) l.endpointsChanged(ns, rev, list);
        },
      };
      watcher = new RuntimeWatcher(t, handler, opts);
      await startWatcher(watcher, opts.startTimeoutMs ?? 30_000, t.base.origin);
    },
    async stop() {
      await watcher?.stop();
    },
  };
}

const podListSchema = z.object({ items: z.array(podInfoSchema) });

/** A ScaleBackend over the runtime API: reads from the watch cache while synced, else asks. */
export function makeScaleBackend(t: HttpTarget, opts: AdapterOptions): ScaleBackendLike {
  let watcher: RuntimeWatcher | undefined;
  const cached = (): RuntimeWatcher | undefined => (watcher?.synced ? watcher : undefined);
  const notFound = (ns: string, rev: string): RuntimeApiError => new RuntimeApiError('API_NOT_FOUND', `revision ${ns}/${rev} is not deployed`, { status: 404 });
  return {
    async start(l) {
      const revs = new Dedup();
      watcher = new RuntimeWatcher(t, {
        revisionUpserted: (r) => {
          if (revs.changed(keyOf(r.namespace, r.revision), managedRevision(r))) l.revisionUpserted(managedRevision(r));
        },
        revisionDeleted: (ns, rev) => {
          revs.forget(keyOf(ns, rev));
          l.revisionDeleted(ns, rev);
        },
      }, opts);
      await startWatcher(watcher, opts.startTimeoutMs ?? 30_000, t.base.origin);
    },
    async readyPods(ns, rev) {
      const w = cached();
      if (w !== undefined) {
        if (w.revision(ns, rev) === undefined) throw notFound(ns, rev);
        return (w.pods(ns, rev) ?? []).filter((p) => p.ready).length;
      }
      const { items } = await requestJson(t, 'GET', revisionPath(ns, rev, '/pods'), undefined, podListSchema);
      return items.filter((p) => p.ready).length;
    },
    async getScale(ns, rev) {
      const r = cached()?.revision(ns, rev);
      if (r !== undefined) return r.replicas;
      return (await requestJson(t, 'GET', revisionPath(ns, rev, '/scale'), undefined, scaleResourceSchema)).replicas;
    },
    async scale(ns, rev, replicas) {
      const s = await requestJson(t, 'PUT', revisionPath(ns, rev, '/scale'), { replicas }, scaleResourceSchema);
      watcher?.noteReplicas(ns, rev, s.replicas);
    },
    async stop() {
      await watcher?.stop();
    },
  };
}

// createRuntimeClient(url): the runtime API from another process (autoscaler, activator, demo, tests).
import { z } from 'zod';
import { makeScaleBackend, makeTopologySource, type AdapterOptions, type ScaleBackendLike, type TopologySourceLike } from './client-adapters.js';
import { makeTarget, requestJson, revisionPath } from './client-http.js';
import { RuntimeWatcher, type WatchHandler } from './client-watch.js';
import { podInfoSchema, revisionResourceSchema, scaleResourceSchema, type DeployRequest, type RevisionResource, type ScaleResource } from './server-api.js';
import type { PodInfo } from './types.js';

export interface RuntimeClientOptions extends AdapterOptions {
  /** Per request. Default 10 000. */
  requestTimeoutMs?: number;
}

export interface RuntimeClient {
  readonly url: string;
  /** POST /v1/revisions: deploy or update (annotations, app, containerConcurrency, replicas). */
  deploy(body: DeployRequest): Promise<RevisionResource>;
  listRevisions(): Promise<RevisionResource[]>;
  getRevision(namespace: string, revision: string): Promise<RevisionResource>;
  deleteRevision(namespace: string, revision: string): Promise<void>;
  getScale(namespace: string, revision: string): Promise<ScaleResource>;
  setScale(namespace: string, revision: string, replicas: number): Promise<ScaleResource>;
  pods(namespace: string, revision: string): Promise<PodInfo[]>;
  /** Fault injection: SIGKILL (default) the pod's processes, or one container's. */
  killPod(name: string, opts?: { signal?: NodeJS.Signals; container?: 'app' | 'queue-proxy' }): Promise<void>;
  /** A reconnecting list+watch; call `start()` on it. */
  watch(handler: WatchHandler): RuntimeWatcher;
  /** The activator's TopologySource (structurally). */
  topologySource(): TopologySourceLike;
  /** The autoscaler's ScaleBackend (structurally). */
  scaleBackend(): ScaleBackendLike;
  /** Closes idle keep-alive connections (watches are stopped by their owners). */
  close(): void;
}

const listSchema = z.object({ items: z.array(revisionResourceSchema) });
const podListSchema = z.object({ items: z.array(podInfoSchema) });
const anyObject = z.object({}).loose();

/** A client of the runtime API at `url` (e.g. `http://127.0.0.1:7070`). */
export function createRuntimeClient(url: string, opts: RuntimeClientOptions = {}): RuntimeClient {
  const t = makeTarget(url, opts.requestTimeoutMs ?? 10_000);
  return {
    url: t.base.origin,
    deploy: (body) => requestJson(t, 'POST', '/v1/revisions', body, revisionResourceSchema),
    listRevisions: async () => (await requestJson(t, 'GET', '/v1/revisions', undefined, listSchema)).items,
    getRevision: (ns, rev) => requestJson(t, 'GET', revisionPath(ns, rev), undefined, revisionResourceSchema),
    deleteRevision: async (ns, rev) => {
      await requestJson(t, 'DELETE', revisionPath(ns, rev), undefined, anyObject);
    },
    getScale: (ns, rev) => requestJson(t, 'GET', revisionPath(ns, rev, '/scale'), undefined, scaleResourceSchema),
    setScale: (ns, rev, replicas) => requestJson(t, 'PUT', revisionPath(ns, rev, '/scale'), { replicas }, scaleResourceSchema),
    pods: async (ns, rev) => (await requestJson(t, 'GET', revisionPath(ns, rev, '/pods'), undefined, podListSchema)).items as PodInfo[],
    killPod: async (name, o = {}) => {
      await requestJson(t, 'POST', `/v1/pods/${encodeURIComponent(name)}/kill`, o, anyObject);
    },
    watch: (handler) => new RuntimeWatcher(t, handler, opts),
    topologySource: () => makeTopologySource(t, opts),
    scaleBackend: () => makeScaleBackend(t, opts),
    close: () => t.agent.destroy(),
  };
}

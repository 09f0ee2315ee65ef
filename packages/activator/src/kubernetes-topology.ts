// TOPOLOGY=kubernetes: Render's Pod watcher. Revisions come from Deployments whose pod template
// carries our class (so a revision at zero pods is known and its requests wait and poke); endpoints
// from Pods labelled with their revision (Ready → routable). No Service, Endpoints or
// EndpointSlice is read or written.
import { createDeploymentInformer, createPodInformer, objectKey, REVISION_LABEL, startInformers, stopInformers, type InformerTuning, type ResilientInformer } from '@kpa-ts/kube';
import type { KubeConfig, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { deploymentToRevision, podToEndpoint } from './kubernetes-topology-mapping.js';
import { revisionKey, type Endpoint, type RevisionInfo, type TopologyListener, type TopologySource } from './topology.js';

export interface KubernetesTopologyOptions extends InformerTuning {
  kubeConfig: KubeConfig;
  /** Watch one namespace; default: all namespaces. */
  namespace?: string;
  /** Which Pods to watch (default `kpa-ts.dev/revision`: every Pod the webhook injected). */
  labelSelector?: string;
  logger: Logger;
  /** start() fails if the first lists did not succeed within this long (default 30 s). */
  startTimeoutMs?: number;
}

export type KubernetesTopologyErrorCode = 'KUBE_SYNC_TIMEOUT';

export class KubernetesTopologyError extends Error {
  override readonly name = 'KubernetesTopologyError';
  readonly code: KubernetesTopologyErrorCode;

  constructor(code: KubernetesTopologyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

interface RevisionEntry {
  info: RevisionInfo;
  /** Deployments naming this revision (normally one). */
  owners: Set<string>;
}

const sameInfo = (a: RevisionInfo, b: RevisionInfo): boolean => a.containerConcurrency === b.containerConcurrency && a.timeoutSeconds === b.timeoutSeconds;

/** The state both informers feed, turned into listener calls (only on real changes). */
class TopologyState {
  readonly #log: Logger;
  readonly #revisions = new Map<string, RevisionEntry>();
  /** Deployment key → revision key it maps to. */
  readonly #deployments = new Map<string, string>();
  /** Pod key → the revision key it was last seen under. */
  readonly #pods = new Map<string, string>();
  /** Revision key → pod name → endpoint. */
  readonly #endpoints = new Map<string, Map<string, Endpoint>>();
  /** Revision key → the last endpoint list reported (JSON), to skip no-op updates. */
  readonly #reported = new Map<string, string>();
  listener: TopologyListener | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  upsertDeployment(d: V1Deployment): void {
    const key = objectKey(d);
    const m = deploymentToRevision(d);
    if (!m.ok) {
      if (m.reason === 'invalid') this.#log.warn({ deployment: key, problem: m.message }, 'deployment of our class ignored');
      this.removeDeployment(d);
      return;
    }
    const rk = revisionKey(m.info.namespace, m.info.revision);
    const before = this.#deployments.get(key);
    if (before !== undefined && before !== rk) this.removeDeployment(d);
    this.#deployments.set(key, rk);
    const entry = this.#revisions.get(rk);
    if (entry === undefined) {
      this.#revisions.set(rk, { info: m.info, owners: new Set([key]) });
    } else {
      if (entry.owners.size > 0 && !entry.owners.has(key)) this.#log.warn({ revision: rk, deployments: [...entry.owners, key] }, 'several deployments name one revision');
      entry.owners.add(key);
      if (sameInfo(entry.info, m.info)) return;
      entry.info = m.info;
    }
    this.listener?.revisionUpserted({ ...m.info });
  }

  removeDeployment(d: V1Deployment): void {
    const key = objectKey(d);
    const rk = this.#deployments.get(key);
    if (rk === undefined) return;
    this.#deployments.delete(key);
    const entry = this.#revisions.get(rk);
    entry?.owners.delete(key);
    if (entry === undefined || entry.owners.size > 0) return;
    this.#revisions.delete(rk);
    this.listener?.revisionDeleted(entry.info.namespace, entry.info.revision);
  }

  upsertPod(p: V1Pod): void {
    const key = objectKey(p);
    const mapped = podToEndpoint(p);
    const before = this.#pods.get(key);
    if (mapped === undefined) {
      if (before !== undefined) this.removePod(p);
      return;
    }
    const rk = revisionKey(mapped.namespace, mapped.revision);
    if (before !== undefined && before !== rk) this.removePod(p);
    this.#pods.set(key, rk);
    let eps = this.#endpoints.get(rk);
    if (eps === undefined) this.#endpoints.set(rk, (eps = new Map()));
    eps.set(mapped.endpoint.pod, mapped.endpoint);
    this.#report(rk, mapped.namespace, mapped.revision);
  }

  removePod(p: V1Pod): void {
    const key = objectKey(p);
    const rk = this.#pods.get(key);
    if (rk === undefined) return;
    this.#pods.delete(key);
    const eps = this.#endpoints.get(rk);
    eps?.delete(p.metadata?.name ?? '');
    const [ns, rev] = splitKey(rk);
    this.#report(rk, ns, rev);
    if (eps !== undefined && eps.size === 0) {
      this.#endpoints.delete(rk);
      this.#reported.delete(rk);
    }
  }

  /** Replays everything known to a new listener. */
  replay(l: TopologyListener): void {
    for (const { info } of this.#revisions.values()) l.revisionUpserted({ ...info });
    for (const [rk, eps] of this.#endpoints) {
      const [ns, rev] = splitKey(rk);
      l.endpointsChanged(ns, rev, sortedEndpoints(eps));
    }
  }

  #report(rk: string, namespace: string, revision: string): void {
    const list = sortedEndpoints(this.#endpoints.get(rk) ?? new Map());
    const text = JSON.stringify(list);
    if (this.#reported.get(rk) === text) return;
    this.#reported.set(rk, text);
    this.listener?.endpointsChanged(namespace, revision, list);
  }
}

function splitKey(rk: string): [string, string] {
  const i = rk.indexOf('/');
  return [rk.slice(0, i), rk.slice(i + 1)];
}

function sortedEndpoints(eps: Map<string, Endpoint>): Endpoint[] {
  return [...eps.values()].sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0)).map((e) => ({ ...e }));
}

/**
 * The activator's TopologySource over the Kubernetes API: a Deployment informer (revisions) and a
 * Pod informer (endpoints). RBAC: deployments and pods get/list/watch.
 */
export function createKubernetesTopology(o: KubernetesTopologyOptions): TopologySource {
  const log = o.logger.child({ component: 'kubernetes-topology' });
  const state = new TopologyState(log);
  const { kubeConfig, namespace, backoff, random, timers } = o;
  const labelSelector = o.labelSelector ?? REVISION_LABEL;
  const common = { kubeConfig, namespace, logger: log, backoff, random, timers };
  const informers: ResilientInformer[] = [
    createDeploymentInformer({ ...common, upsert: (d) => state.upsertDeployment(d), remove: (d) => state.removeDeployment(d) }),
    createPodInformer({ ...common, labelSelector, upsert: (p) => state.upsertPod(p), remove: (p) => state.removePod(p) }),
  ];
  let started = false;

  return {
    async start(l) {
      state.listener = l;
      state.replay(l);
      if (started) return;
      started = true;
      const timeoutMs = o.startTimeoutMs ?? 30_000;
      if (!(await startInformers(informers, timeoutMs))) {
        throw new KubernetesTopologyError('KUBE_SYNC_TIMEOUT', `deployments and pods not listed within ${timeoutMs} ms (apiserver ${kubeConfig.getCurrentCluster()?.server ?? '?'})`);
      }
      log.info({ namespace: namespace ?? '(all)', labelSelector }, 'watching deployments and pods');
    },
    async stop() {
      state.listener = undefined;
      await stopInformers(informers);
    },
  };
}

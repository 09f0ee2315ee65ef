// BACKEND=kubernetes: the revisions are Deployments whose pod template carries our class; ready
// pods are counted from a Pod informer (Pods labelled kpa-ts.dev/revision by the webhook); the
// replicas are read from the Deployment informer's cache (a GET of the scale subresource only while
// that cache is not current) and written with a PATCH of the scale subresource. RBAC: deployments
// get/list/watch, deployments/scale get/patch, pods get/list/watch.
import { createDeploymentInformer, createPodInformer, objectKey, REVISION_LABEL, startInformers, stopInformers, type InformerTuning, type ResilientInformer } from '@kpa-ts/kube';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { deploymentToManagedRevision, podReadiness, type DeploymentRevision } from './kubernetes-mapping.js';
import { revisionId } from './managed-revision.js';
import type { RevisionListener, ScaleBackend } from './ports.js';

export interface KubernetesBackendOptions extends InformerTuning {
  kubeConfig: KubeConfig;
  /** Namespaces to manage; empty or unset: all namespaces (one cluster-wide watch per kind). */
  namespaces?: readonly string[];
  logger: Logger;
  /** Where the backend's request counters go (default: a registry of its own). */
  registry?: Registry;
  /** start() fails if the first lists did not succeed within this long (default 30 s). */
  startTimeoutMs?: number;
}

export type KubernetesBackendErrorCode = 'KUBE_SYNC_TIMEOUT' | 'KUBE_UNKNOWN_REVISION' | 'KUBE_BAD_SCALE';

export class KubernetesBackendError extends Error {
  override readonly name = 'KubernetesBackendError';
  readonly code: KubernetesBackendErrorCode;

  constructor(code: KubernetesBackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** What the informers have seen, and the listener calls it makes. */
class ClusterState {
  readonly #log: Logger;
  /** Deployment key → the revision id it runs (every Deployment of our class, scaled or not). */
  readonly #byDeployment = new Map<string, { id: string; value: DeploymentRevision }>();
  /** Revision id → the Deployment (name) that scales it, and what was last reported. */
  readonly #revisions = new Map<string, { deployment: string; reported: string }>();
  /** Pod key → revision id + readiness. */
  readonly #pods = new Map<string, { rev: string; ready: boolean }>();
  /** Revision id → ready pods. */
  readonly #ready = new Map<string, number>();
  listener: RevisionListener | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** The Deployment that scales the revision, and its replicas as last seen (by the informer or our own PATCH). */
  scaleTarget(namespace: string, revision: string): { name: string; replicas: number | undefined } {
    const entry = this.#revisions.get(revisionId(namespace, revision));
    if (entry === undefined) throw new KubernetesBackendError('KUBE_UNKNOWN_REVISION', `revision ${revisionId(namespace, revision)}: no Deployment of our class runs it`);
    return { name: entry.deployment, replicas: this.#byDeployment.get(objectKey({ metadata: { namespace, name: entry.deployment } }))?.value.replicas };
  }

  /** Our own PATCH succeeded: the cache holds the new count until the watch event confirms it. */
  scaled(namespace: string, deployment: string, replicas: number): void {
    const entry = this.#byDeployment.get(objectKey({ metadata: { namespace, name: deployment } }));
    if (entry !== undefined) entry.value = { ...entry.value, replicas };
  }

  readyPods(namespace: string, revision: string): number {
    this.scaleTarget(namespace, revision);
    return this.#ready.get(revisionId(namespace, revision)) ?? 0;
  }

  upsertDeployment(d: V1Deployment): void {
    const key = objectKey(d);
    const m = deploymentToManagedRevision(d);
    if (!m.ok) {
      if (m.reason === 'invalid') this.#log.warn({ deployment: key, problem: m.message }, 'deployment of our class ignored');
      this.removeDeployment(d);
      return;
    }
    const id = revisionId(m.value.revision.namespace, m.value.revision.revision);
    if (this.#byDeployment.get(key)?.id !== id) this.removeDeployment(d);
    this.#byDeployment.set(key, { id, value: m.value });
    const entry = this.#revisions.get(id);
    if (entry !== undefined && entry.deployment !== m.value.deployment) {
      this.#log.warn({ revision: id, deployments: [entry.deployment, m.value.deployment] }, 'two deployments name one revision; the first one is scaled');
      return;
    }
    this.#report(id, m.value);
  }

  removeDeployment(d: V1Deployment): void {
    const key = objectKey(d);
    const gone = this.#byDeployment.get(key);
    if (gone === undefined) return;
    this.#byDeployment.delete(key);
    if (this.#revisions.get(gone.id)?.deployment !== gone.value.deployment) return;
    this.#revisions.delete(gone.id);
    // Another Deployment naming the same revision takes over; else the revision is gone.
    const next = [...this.#byDeployment.values()].find((e) => e.id === gone.id);
    if (next !== undefined) {
      this.#report(gone.id, next.value);
      return;
    }
    this.listener?.revisionDeleted(gone.value.revision.namespace, gone.value.revision.revision);
  }

  #report(id: string, value: DeploymentRevision): void {
    const reported = JSON.stringify(value.revision);
    if (this.#revisions.get(id)?.reported === reported) return;
    this.#revisions.set(id, { deployment: value.deployment, reported });
    this.listener?.revisionUpserted(value.revision);
  }

  upsertPod(p: V1Pod): void {
    const r = podReadiness(p);
    this.removePod(p);
    if (r === undefined) return;
    const rev = revisionId(r.namespace, r.revision);
    this.#pods.set(objectKey(p), { rev, ready: r.ready });
    if (r.ready) this.#ready.set(rev, (this.#ready.get(rev) ?? 0) + 1);
  }

  removePod(p: V1Pod): void {
    const key = objectKey(p);
    const old = this.#pods.get(key);
    if (old === undefined) return;
    this.#pods.delete(key);
    if (!old.ready) return;
    const n = (this.#ready.get(old.rev) ?? 1) - 1;
    if (n > 0) this.#ready.set(old.rev, n);
    else this.#ready.delete(old.rev);
  }

  /** Reports every known revision to a new listener. */
  replay(l: RevisionListener): void {
    for (const { reported } of this.#revisions.values()) l.revisionUpserted(JSON.parse(reported) as Parameters<RevisionListener['revisionUpserted']>[0]);
  }
}

interface BackendInformers {
  all: ResilientInformer[];
  /** The Deployment informer holding a namespace's Deployments. */
  deploymentsOf(namespace: string): ResilientInformer | undefined;
}

function informersFor(o: KubernetesBackendOptions, state: ClusterState, log: Logger): BackendInformers {
  const { kubeConfig, backoff, random, timers } = o;
  const common = { kubeConfig, logger: log, backoff, random, timers };
  const namespaces: (string | undefined)[] = o.namespaces !== undefined && o.namespaces.length > 0 ? [...o.namespaces] : [undefined];
  const deployments = new Map<string | undefined, ResilientInformer>();
  const all = namespaces.flatMap((namespace) => {
    const suffix = namespace === undefined ? '' : ` in ${namespace}`;
    const d = createDeploymentInformer({ ...common, namespace, name: `deployments${suffix}`, upsert: (x) => state.upsertDeployment(x), remove: (x) => state.removeDeployment(x) });
    deployments.set(namespace, d);
    const p = createPodInformer({ ...common, namespace, name: `pods${suffix}`, labelSelector: REVISION_LABEL, upsert: (x) => state.upsertPod(x), remove: (x) => state.removePod(x) });
    return [d, p];
  });
  return { all, deploymentsOf: (ns) => deployments.get(ns) ?? deployments.get(undefined) };
}

/** The backend's own API requests (list/watch of its informers not counted), and the cache's answers. */
function backendMetrics(registry: Registry): { requests: Counter<'verb' | 'resource'>; cacheReads: Counter } {
  return {
    requests: new Counter({ name: 'autoscaler_kubernetes_requests_total', help: 'Kubernetes API requests of the scale backend outside its informers', labelNames: ['verb', 'resource'], registers: [registry] }),
    cacheReads: new Counter({ name: 'autoscaler_kubernetes_scale_cache_reads_total', help: 'Replica counts read from the Deployment informer cache instead of a GET of deployments/scale', registers: [registry] }),
  };
}

function checkedReplicas(replicas: unknown, name: string, namespace: string): number {
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new KubernetesBackendError('KUBE_BAD_SCALE', `deployments/${name}/scale in ${namespace}: spec.replicas = ${String(replicas)}`);
  return replicas;
}

/**
 * The autoscaler's ScaleBackend over the Kubernetes API. `start` resolves once Deployments and
 * Pods are listed (the listener has every managed revision), then follows their changes.
 * `readyPods` and `getScale` are answered from the informers' memory (no request per tick);
 * `getScale` GETs deployments/scale only while the Deployment informer is not current (before its
 * first list, or restarting after a failure).
 */
export function createKubernetesBackend(o: KubernetesBackendOptions): ScaleBackend {
  const log = o.logger.child({ component: 'kubernetes-backend' });
  const state = new ClusterState(log);
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  const informers = informersFor(o, state, log);
  const metrics = backendMetrics(o.registry ?? new Registry());
  let started = false;

  return {
    async start(listener) {
      state.listener = listener;
      state.replay(listener);
      if (started) return;
      started = true;
      const timeoutMs = o.startTimeoutMs ?? 30_000;
      if (!(await startInformers(informers.all, timeoutMs))) {
        throw new KubernetesBackendError('KUBE_SYNC_TIMEOUT', `deployments and pods not listed within ${timeoutMs} ms (apiserver ${o.kubeConfig.getCurrentCluster()?.server ?? '?'})`);
      }
      log.info({ namespaces: o.namespaces?.length ? o.namespaces : '(all)' }, 'watching deployments and pods');
    },
    async readyPods(namespace, revision) {
      return state.readyPods(namespace, revision);
    },
    async getScale(namespace, revision) {
      const { name, replicas } = state.scaleTarget(namespace, revision);
      if (replicas !== undefined && informers.deploymentsOf(namespace)?.isWatching() === true) {
        metrics.cacheReads.inc();
        return checkedReplicas(replicas, name, namespace);
      }
      metrics.requests.inc({ verb: 'get', resource: 'deployments/scale' });
      const scale = await apps.readNamespacedDeploymentScale({ name, namespace });
      return checkedReplicas(scale.spec?.replicas ?? 0, name, namespace);
    },
    async scale(namespace, revision, replicas) {
      const { name } = state.scaleTarget(namespace, revision);
      metrics.requests.inc({ verb: 'patch', resource: 'deployments/scale' });
      const scale = await apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      state.scaled(namespace, name, scale.spec?.replicas ?? replicas);
    },
    async stop() {
      state.listener = undefined;
      await stopInformers(informers.all);
    },
  };
}

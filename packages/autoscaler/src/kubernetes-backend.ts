// BACKEND=kubernetes: the revisions are Deployments whose pod template carries our class; ready
// pods are counted from a Pod informer (Pods labelled kpa-ts.dev/revision by the webhook); the
// replicas are read and written through the Deployment's scale subresource. RBAC: deployments
// get/list/watch, deployments/scale get/patch, pods get/list/watch.
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createResilientInformer, type InformerTimers, type ResilientInformer } from './kubernetes-informer.js';
import { deploymentToManagedRevision, podReadiness, REVISION_LABEL, type DeploymentRevision } from './kubernetes-mapping.js';
import { revisionId } from './managed-revision.js';
import type { RevisionListener, ScaleBackend } from './ports.js';

export interface KubernetesBackendOptions {
  kubeConfig: KubeConfig;
  /** Namespaces to manage; empty or unset: all namespaces (one cluster-wide watch per kind). */
  namespaces?: readonly string[];
  logger: Logger;
  /** start() fails if the first lists did not succeed within this long (default 30 s). */
  startTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  timers?: InformerTimers;
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

const objectKey = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

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

  deploymentOf(namespace: string, revision: string): string {
    const entry = this.#revisions.get(revisionId(namespace, revision));
    if (entry === undefined) throw new KubernetesBackendError('KUBE_UNKNOWN_REVISION', `revision ${revisionId(namespace, revision)}: no Deployment of our class runs it`);
    return entry.deployment;
  }

  readyPods(namespace: string, revision: string): number {
    this.deploymentOf(namespace, revision);
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

function informersFor(o: KubernetesBackendOptions, state: ClusterState, log: Logger): ResilientInformer[] {
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  const common = { kubeConfig: o.kubeConfig, logger: log, ...(o.backoff ? { backoff: o.backoff } : {}), ...(o.random ? { random: o.random } : {}), ...(o.timers ? { timers: o.timers } : {}) };
  const namespaces: (string | undefined)[] = o.namespaces !== undefined && o.namespaces.length > 0 ? [...o.namespaces] : [undefined];
  return namespaces.flatMap((ns) => [
    createResilientInformer<V1Deployment>({
      ...common,
      name: `deployments${ns === undefined ? '' : ` in ${ns}`}`,
      path: ns === undefined ? '/apis/apps/v1/deployments' : `/apis/apps/v1/namespaces/${ns}/deployments`,
      list: () => (ns === undefined ? apps.listDeploymentForAllNamespaces() : apps.listNamespacedDeployment({ namespace: ns })),
      upsert: (d) => state.upsertDeployment(d),
      remove: (d) => state.removeDeployment(d),
    }),
    createResilientInformer<V1Pod>({
      ...common,
      name: `pods${ns === undefined ? '' : ` in ${ns}`}`,
      path: ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`,
      labelSelector: REVISION_LABEL,
      list: () => (ns === undefined ? core.listPodForAllNamespaces({ labelSelector: REVISION_LABEL }) : core.listNamespacedPod({ namespace: ns, labelSelector: REVISION_LABEL })),
      upsert: (p) => state.upsertPod(p),
      remove: (p) => state.removePod(p),
    }),
  ]);
}

async function syncedWithin(informers: readonly ResilientInformer[], timeoutMs: number, server: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KubernetesBackendError('KUBE_SYNC_TIMEOUT', `deployments and pods not listed within ${timeoutMs} ms (apiserver ${server})`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(informers.map((i) => i.synced)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The autoscaler's ScaleBackend over the Kubernetes API. `start` resolves once Deployments and
 * Pods are listed (the listener has every managed revision), then follows their changes.
 */
export function createKubernetesBackend(o: KubernetesBackendOptions): ScaleBackend {
  const log = o.logger.child({ component: 'kubernetes-backend' });
  const state = new ClusterState(log);
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  const informers = informersFor(o, state, log);
  let started = false;

  return {
    async start(listener) {
      state.listener = listener;
      state.replay(listener);
      if (started) return;
      started = true;
      for (const i of informers) i.start();
      try {
        await syncedWithin(informers, o.startTimeoutMs ?? 30_000, o.kubeConfig.getCurrentCluster()?.server ?? '?');
      } catch (err) {
        await Promise.all(informers.map((i) => i.stop()));
        throw err;
      }
      log.info({ namespaces: o.namespaces?.length ? o.namespaces : '(all)' }, 'watching deployments and pods');
    },
    async readyPods(namespace, revision) {
      return state.readyPods(namespace, revision);
    },
    async getScale(namespace, revision) {
      const name = state.deploymentOf(namespace, revision);
      const scale = await apps.readNamespacedDeploymentScale({ name, namespace });
      const replicas = scale.spec?.replicas ?? 0;
      if (!Number.isInteger(replicas) || replicas < 0) throw new KubernetesBackendError('KUBE_BAD_SCALE', `deployments/${name}/scale in ${namespace}: spec.replicas = ${String(replicas)}`);
      return replicas;
    },
    async scale(namespace, revision, replicas) {
      const name = state.deploymentOf(namespace, revision);
      await apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async stop() {
      state.listener = undefined;
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}

/** A kubeconfig file, or (unset) the in-cluster service account / ~/.kube/config as kubectl finds them. */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromDefault();
  else kc.loadFromFile(file);
  return kc;
}

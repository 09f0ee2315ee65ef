// The two informers both sides run: Deployments (which revisions exist) and Pods (which of their
// pods are ready), in one namespace or all of them. Only the watch path and the list call differ
// per kind; both go through createResilientInformer.
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createResilientInformer, type InformerTuning, type ResilientInformer } from './informer.js';

export interface KindInformerOptions<T> extends InformerTuning {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** One namespace; undefined: all namespaces (one cluster-wide watch). */
  namespace?: string | undefined;
  /** For logs (default: the resource, `deployments` / `pods`). */
  name?: string | undefined;
  /** A label selector; undefined or '' selects every object. */
  labelSelector?: string | undefined;
  upsert(obj: T): void;
  remove(obj: T): void;
}

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/ns/deployments`, … */
export function watchPath(groupVersion: 'v1' | 'apps/v1', resource: string, namespace: string | undefined): string {
  const root = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
  return namespace === undefined ? `${root}/${resource}` : `${root}/namespaces/${namespace}/${resource}`;
}

function common<T>(o: KindInformerOptions<T>, resource: string): { name: string; labelSelector: string | undefined } {
  return { name: o.name ?? resource, labelSelector: o.labelSelector === '' ? undefined : o.labelSelector };
}

/** Deployments (get/list/watch on deployments). */
export function createDeploymentInformer(o: KindInformerOptions<V1Deployment>): ResilientInformer {
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  const { namespace: ns } = o;
  const { name, labelSelector } = common(o, 'deployments');
  const q = labelSelector === undefined ? {} : { labelSelector };
  return createResilientInformer<V1Deployment>({
    ...o,
    name,
    labelSelector,
    path: watchPath('apps/v1', 'deployments', ns),
    list: () => (ns === undefined ? apps.listDeploymentForAllNamespaces(q) : apps.listNamespacedDeployment({ namespace: ns, ...q })),
  });
}

/** Pods (get/list/watch on pods), usually by the label the webhook sets (`kpa-ts.dev/revision`). */
export function createPodInformer(o: KindInformerOptions<V1Pod>): ResilientInformer {
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const { namespace: ns } = o;
  const { name, labelSelector } = common(o, 'pods');
  const q = labelSelector === undefined ? {} : { labelSelector };
  return createResilientInformer<V1Pod>({
    ...o,
    name,
    labelSelector,
    path: watchPath('v1', 'pods', ns),
    list: () => (ns === undefined ? core.listPodForAllNamespaces(q) : core.listNamespacedPod({ namespace: ns, ...q })),
  });
}

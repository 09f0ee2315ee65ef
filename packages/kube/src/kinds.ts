// The two informers both sides run: Deployments (which revisions exist) and Pods (which of their
// pods are ready), in one namespace or all of them. Only the watch path and the list call differ
// per kind; both go through createResilientInformer.
import { AppsV1Api, CoreV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
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

type Query = { labelSelector?: string };

/** How to list one kind: cluster-wide or in a namespace. */
interface Kind<T extends KubernetesObject> {
  groupVersion: 'v1' | 'apps/v1';
  resource: string;
  list(kc: KubeConfig, namespace: string | undefined, q: Query): Promise<KubernetesListObject<T>>;
}

const DEPLOYMENTS: Kind<V1Deployment> = {
  groupVersion: 'apps/v1',
  resource: 'deployments',
  list: (kc, namespace, q) => (namespace === undefined ? kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces(q) : kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, ...q })),
};
const PODS: Kind<V1Pod> = {
  groupVersion: 'v1',
  resource: 'pods',
  list: (kc, namespace, q) => (namespace === undefined ? kc.makeApiClient(CoreV1Api).listPodForAllNamespaces(q) : kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, ...q })),
};

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/ns/deployments`, … */
export function watchPath(groupVersion: 'v1' | 'apps/v1', resource: string, namespace: string | undefined): string {
  const root = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
  return namespace === undefined ? `${root}/${resource}` : `${root}/namespaces/${namespace}/${resource}`;
}

function kindInformer<T extends KubernetesObject>(kind: Kind<T>, o: KindInformerOptions<T>): ResilientInformer {
  const labelSelector = o.labelSelector === '' ? undefined : o.labelSelector;
  const q: Query = labelSelector === undefined ? {} : { labelSelector };
  return createResilientInformer<T>({
    ...o,
    name: o.name ?? kind.resource,
    labelSelector,
    path: watchPath(kind.groupVersion, kind.resource, o.namespace),
    list: () => kind.list(o.kubeConfig, o.namespace, q),
  });
}

/** Deployments (RBAC: get/list/watch on deployments). */
export function createDeploymentInformer(o: KindInformerOptions<V1Deployment>): ResilientInformer {
  return kindInformer(DEPLOYMENTS, o);
}

/** Pods (RBAC: get/list/watch on pods), usually by the label the webhook sets (`kpa-ts.dev/revision`). */
export function createPodInformer(o: KindInformerOptions<V1Pod>): ResilientInformer {
  return kindInformer(PODS, o);
}

// Where the client finds the apiserver and its credentials.
import { KubeConfig } from '@kubernetes/client-node';

/** A kubeconfig file, or (unset) the in-cluster service account / ~/.kube/config as kubectl finds them. */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromDefault();
  else kc.loadFromFile(file);
  return kc;
}

/** A copy of `kc` whose clusters point at `server` (e.g. a proxy on another port of 127.0.0.1). */
export function withServer(kc: KubeConfig, server: string): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

// A real control plane (etcd + kube-apiserver + kube-controller-manager, see
// docs/control-plane.md) for one test suite: @kpa-ts/kube/testing's `startPlane()` (the helper the
// packages' Kubernetes suites use too), shaped as these suites use it. `stop()` runs `down` and
// removes the directory (kept when KPA_KEEP_CP=1). The binaries must be built (scripts/setup runs
// `scripts/control-plane build`).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planeBinariesBuilt, startPlane, type PlaneState } from '@kpa-ts/kube/testing';
import type { KubeConfig } from '@kubernetes/client-node';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export type ControlPlaneState = PlaneState;

export interface ControlPlane {
  readonly state: ControlPlaneState;
  /** Path of the admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  readonly apiServer: string;
  /** A client config loaded from `kubeconfig`. */
  readonly kubeConfig: KubeConfig;
  /** Stops the three processes and removes the directory (kept when KPA_KEEP_CP=1). */
  stop(): Promise<void>;
}

/** Whether the control-plane binaries are in the cache (scripts/control-plane build done). */
export const controlPlaneBuilt = planeBinariesBuilt;

/** Starts a plane in a fresh temporary directory (~4 s). */
export async function startControlPlane(): Promise<ControlPlane> {
  const plane = await startPlane();
  return { state: plane.state, kubeconfig: plane.kubeconfig, apiServer: plane.apiServer, kubeConfig: plane.kubeConfig, stop: () => plane.stop() };
}

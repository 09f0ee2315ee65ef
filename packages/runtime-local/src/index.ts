export { createLocalRuntime } from './runtime.js';
export { RuntimeError, type RuntimeErrorCode } from './errors.js';
export { AddressPool, parseIpRange } from './address-pool.js';
export { makePodName } from './pod-name.js';
export { compareForDeletion, planReconcile, type ReconcilePlan } from './reconcile.js';
export { appEnv, queueProxyEnv, type PodAddress } from './container-env.js';
export type { AppSpec, Clock, CommandSpec, LocalRuntime, LocalRuntimeOptions, PodInfo, PodPhase, PodSetEvent, RevisionTemplate } from './types.js';

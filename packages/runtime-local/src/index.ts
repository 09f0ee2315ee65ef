export { createLocalRuntime } from './runtime.js';
export { RuntimeError, type RuntimeErrorCode } from './errors.js';
export { AddressPool, parseIpRange } from './address-pool.js';
export { makePodName } from './pod-name.js';
export { compareForDeletion, planReconcile, type ReconcilePlan } from './reconcile.js';
export { appEnv, queueProxyEnv, type PodAddress } from './container-env.js';
export type { AppSpec, Clock, CommandSpec, LocalRuntime, LocalRuntimeOptions, PodInfo, PodPhase, PodSetEvent, RevisionTemplate } from './types.js';
// The runtime's HTTP API (server, client, the adapters the autoscaler and the activator use).
export { startRuntimeServer, type RuntimeServer, type RuntimeServerOptions } from './server.js';
export { parseRuntimeEnv, runtimeEnvSchema, DEFAULT_QUEUE_PROXY_MAIN, type RuntimeEnv } from './server-env.js';
export {
  deployRequestSchema,
  scaleRequestSchema,
  killRequestSchema,
  revisionResourceSchema,
  scaleResourceSchema,
  podInfoSchema,
  watchEventSchema,
  type DeployRequest,
  type RevisionResource,
  type ScaleResource,
  type WatchEvent,
  type ErrorBody,
} from './server-api.js';
export { createRuntimeClient, type RuntimeClient, type RuntimeClientOptions } from './client.js';
export { RuntimeApiError, type RuntimeApiErrorCode } from './client-errors.js';
export { RuntimeWatcher, backoffDelayMs, type WatchHandler, type WatchOptions } from './client-watch.js';
export {
  endpointsOf,
  type AdapterOptions,
  type ManagedRevisionLike,
  type ScaleBackendLike,
  type ScaleBackendListenerLike,
  type TopologyEndpoint,
  type TopologyListenerLike,
  type TopologyRevision,
  type TopologySourceLike,
} from './client-adapters.js';
// Process supervision (own process group, log file, no-leak reaper), reused by `kpa demo`.
export { ChildHandle, type ChildExit, type ChildSpec } from './child.js';
export { ChildSet } from './child-set.js';

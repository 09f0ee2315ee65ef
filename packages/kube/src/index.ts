export * from './names.js';
export { deploymentRevisionName, ownerNameFromGenerateName, revisionOf, type Labels, type RevisionName, type RevisionNameInput } from './revision-name.js';
export {
  containerConcurrencyOf,
  envValue,
  isPodReady,
  parseClassDeployment,
  objectKey,
  parsePod,
  queueProxyContainer,
  type ClassDeployment,
  type ClassDeploymentResult,
  type KubeContainer,
  type KubePod,
} from './objects.js';
export {
  backoffDelayMs,
  createResilientInformer,
  DEFAULT_BACKOFF,
  startInformers,
  stopInformers,
  waitSynced,
  type Backoff,
  type InformerOptions,
  type InformerTimers,
  type InformerTuning,
  type ResilientInformer,
} from './informer.js';
export { createDeploymentInformer, createPodInformer, watchPath, type KindInformerOptions } from './kinds.js';
export { loadKubeConfig, withServer } from './kubeconfig.js';

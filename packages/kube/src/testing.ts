// Test support (`@kpa-ts/kube/testing`), not for production code: a real control plane, a proxy that
// cuts the apiserver connection, apiserver JSON fixtures.
export { planeBinariesBuilt, startPlane, type Plane, type PlaneState } from './testing/control-plane.js';
export { startCuttableProxy, type CuttableProxy } from './testing/cuttable-proxy.js';
export { apiserverObject, type FixtureName, type Json } from './testing/fixtures.js';
export { withServer } from './kubeconfig.js';

// From a parsed AdmissionReview to the response, pure: the handlers for /mutate-pods and /validate.
import type { AutoscalerConfig } from '@kpa-ts/config';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.js';
import { allow, deny } from './admission-review.js';
import type { InjectionConfig } from './injection-config.js';
import { decidePodInjection } from './pod-patch.js';
import { validateConfigMap, validateDeployment } from './validate.js';

/** What an admission did, for metrics and logs. */
export type AdmissionResult = 'patched' | 'allowed' | 'skipped' | 'denied';

export interface Admission {
  response: AdmissionResponse;
  /** The object's kind as sent (`Pod`, `Deployment`, `ConfigMap`, ...). */
  kind: string;
  result: AdmissionResult;
  /** Why a pod was skipped or a request denied (logs). */
  detail?: string;
}

export interface MutateDeps {
  injection: InjectionConfig;
}

export interface ValidateDeps {
  /** The current config-autoscaler (last good), read on every request. */
  autoscalerConfig: () => AutoscalerConfig;
  systemNamespace: string;
}

function isKind(req: AdmissionRequest, group: string, kind: string): boolean {
  return req.kind.group === group && req.kind.kind === kind;
}

/** /mutate-pods: CREATE of core/v1 Pods; anything else is allowed untouched. */
export function admitMutation(req: AdmissionRequest, deps: MutateDeps): Admission {
  const kind = req.kind.kind;
  if (!isKind(req, '', 'Pod') || req.operation !== 'CREATE' || req.subResource) {
    return { response: allow(req.uid), kind, result: 'skipped', detail: `not a Pod CREATE (${req.operation} ${kind})` };
  }
  const decision = decidePodInjection(req.object, deps.injection);
  switch (decision.action) {
    case 'skip':
      return { response: allow(req.uid), kind, result: 'skipped', detail: decision.reason };
    case 'deny':
      return { response: deny(req.uid, decision.message), kind, result: 'denied', detail: decision.message };
    case 'patch':
      return { response: allow(req.uid, { patch: decision.patch, warnings: decision.warnings }), kind, result: 'patched', detail: decision.revision };
  }
}

/** /validate: CREATE/UPDATE of apps/v1 Deployments and core/v1 ConfigMaps. */
export function admitValidation(req: AdmissionRequest, deps: ValidateDeps): Admission {
  const kind = req.kind.kind;
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') {
    return { response: allow(req.uid), kind, result: 'skipped', detail: `operation ${req.operation}` };
  }
  let verdict;
  if (isKind(req, 'apps', 'Deployment')) verdict = validateDeployment(req.object, deps.autoscalerConfig());
  else if (isKind(req, '', 'ConfigMap')) verdict = validateConfigMap(req.object, req.namespace, deps.systemNamespace);
  else return { response: allow(req.uid), kind, result: 'skipped', detail: `kind ${kind} is not validated` };
  if (!verdict.allowed) return { response: deny(req.uid, verdict.message), kind, result: 'denied', detail: verdict.message };
  return { response: allow(req.uid), kind, result: verdict.checked ? 'allowed' : 'skipped' };
}

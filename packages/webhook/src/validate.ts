// The validating decisions, pure: a Deployment of our class must carry annotations that
// @kpa-ts/config accepts under the current config-autoscaler; the config-autoscaler ConfigMap in
// the system namespace must parse.
import type { AutoscalerConfig } from '@kpa-ts/config';
import { CONFIG_AUTOSCALER_NAME, parseAnnotations, parseAutoscalerConfig } from '@kpa-ts/config';
import { hasOurClass, parseContainerConcurrency } from './pod-patch.js';
import { ConfigMapSchema, DeploymentSchema, describeZodError } from './kube-objects.js';

export type Validation = { allowed: true; checked: boolean } | { allowed: false; message: string };

const messages = (issues: ReadonlyArray<{ message: string }>): string => issues.map((i) => i.message).join('; ');

/**
 * apps/v1 Deployments whose pod template has our class: `autoscaling.knative.dev/*` annotations
 * through `parseAnnotations` (with the current config, so max-scale-limit applies) and
 * `kpa-ts.dev/container-concurrency`. Other Deployments are allowed unchecked.
 */
export function validateDeployment(object: unknown, config: AutoscalerConfig): Validation {
  const template = (object as { spec?: { template?: unknown } } | null | undefined)?.spec?.template;
  if (!hasOurClass(template)) return { allowed: true, checked: false };
  const parsed = DeploymentSchema.safeParse(object);
  if (!parsed.success) return { allowed: false, message: `not a Deployment we understand: ${describeZodError(parsed.error, 'deployment')}` };
  const annotations = parsed.data.spec.template.metadata.annotations ?? {};
  const problems: string[] = [];
  const result = parseAnnotations(annotations, config);
  if (!result.success) problems.push(messages(result.error.issues));
  const cc = parseContainerConcurrency(annotations);
  if ('error' in cc) problems.push(cc.error);
  if (problems.length === 0) return { allowed: true, checked: true };
  return { allowed: false, message: `invalid spec.template.metadata.annotations: ${problems.join('; ')}` };
}

/** The `config-autoscaler` ConfigMap of `systemNamespace`; every other ConfigMap is allowed unchecked. */
export function validateConfigMap(object: unknown, namespace: string | undefined, systemNamespace: string): Validation {
  const parsed = ConfigMapSchema.safeParse(object);
  if (!parsed.success) return { allowed: true, checked: false };
  const meta = parsed.data.metadata;
  const ns = meta.namespace ?? namespace;
  if (meta.name !== CONFIG_AUTOSCALER_NAME || ns !== systemNamespace) return { allowed: true, checked: false };
  const result = parseAutoscalerConfig(parsed.data.data ?? {});
  if (result.success) return { allowed: true, checked: true };
  return { allowed: false, message: `invalid ${CONFIG_AUTOSCALER_NAME}: ${messages(result.error.issues)}` };
}

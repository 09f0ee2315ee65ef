import { ANNOTATION_KEYS, KPA_TS_CLASS } from '@kpa-ts/config';
import { z } from 'zod';
import { AutoscalerError } from './errors.js';
import type { ManagedRevision } from './ports.js';

/** Kubernetes names are at most 253 characters. */
const NAME_MAX = 253;
/** Knative caps containerConcurrency at 1000 (config-defaults `container-concurrency-max-limit`). */
const CONTAINER_CONCURRENCY_MAX = 1000;

const managedRevisionSchema = z.object({
  namespace: z.string().min(1).max(NAME_MAX),
  revision: z.string().min(1).max(NAME_MAX),
  annotations: z.record(z.string(), z.string()),
  containerConcurrency: z.number().int().min(0).max(CONTAINER_CONCURRENCY_MAX),
});

/**
 * Checks what a backend reports (it may come from an HTTP API): throws AS_INVALID_REVISION naming
 * the field, its value and what it must be.
 */
export function parseManagedRevision(input: unknown): ManagedRevision {
  const parsed = managedRevisionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  let value: unknown = input;
  for (const key of issue?.path ?? []) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  throw new AutoscalerError('AS_INVALID_REVISION', `revision ${path || '(whole)'} = ${JSON.stringify(value) ?? String(value)}: ${issue?.message ?? 'invalid'}`);
}

/** `${namespace}/${revision}`: the key of a revision everywhere in the service. */
export function revisionId(namespace: string, revision: string): string {
  return `${namespace}/${revision}`;
}

/**
 * Whether kpa-ts scales this revision: its class annotation is ours, or absent (the backend only
 * reports workloads meant for us). Another class (Knative's KPA or HPA) is left alone.
 */
export function isOurClass(r: ManagedRevision): boolean {
  const cls = r.annotations[ANNOTATION_KEYS.class];
  return cls === undefined || cls === KPA_TS_CLASS;
}

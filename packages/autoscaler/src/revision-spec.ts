// A revision's scaling spec from the ConfigMap and its annotations, keeping the last good
// annotations when the new ones do not validate.
import { issueCode, makeRevisionSpec, parseAnnotations, type Annotations, type AutoscalerConfig } from '@kpa-ts/config';
import type { RevisionScalingSpec } from '@kpa-ts/scaling';
import type { ManagedRevision } from './ports.js';

/** One annotation that failed validation: the key as written, a stable code, the message. */
export interface AnnotationProblem {
  annotation: string;
  code: string;
  message: string;
}

export interface ResolvedSpec {
  spec: RevisionScalingSpec;
  /** The annotations the spec was built from (the new ones, or the last good when they failed). */
  annotations: Annotations;
  /** Empty when the annotations validated. */
  problems: AnnotationProblem[];
}

/**
 * Parses the revision's annotations against `config` (Knative's webhook rules). Valid → a spec
 * from them; invalid → the spec from `lastGood` (the annotations that last validated for this
 * revision, or none: the ConfigMap defaults), with every problem named.
 */
export function resolveRevisionSpec(config: AutoscalerConfig, r: ManagedRevision, lastGood: Annotations | undefined): ResolvedSpec {
  const parsed = parseAnnotations(r.annotations, config);
  const annotations = parsed.success ? parsed.data : (lastGood ?? {});
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ annotation: String(issue.path[0] ?? '(annotations)'), code: issueCode(issue), message: issue.message }));
  return { spec: makeRevisionSpec(config, annotations, r.containerConcurrency), annotations, problems };
}

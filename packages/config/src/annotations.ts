// `parseAnnotations`: a workload's `autoscaling.knative.dev/*` annotations → Annotations, validated
// as Knative's webhook does (kpa.md c), in Knative's order, every issue reported. Unrelated
// annotations are ignored. `resolveAnnotations` is the forgiving use-time variant.
import type { z } from 'zod';
import type { AnnotationDraft, Annotations } from './annotation-fields.js';
import {
  fail,
  readActivationScale,
  readAlgorithm,
  readClass,
  readDurations,
  readFloats,
  readInitialScale,
  readMetric,
  readScaleBound,
} from './annotation-fields.js';
import type { AnnotationName } from './annotation-keys.js';
import type { AutoscalerConfig } from './config-defaults.js';
import type { ConfigIssue } from './issues.js';
import { failure, inputIssue } from './issues.js';
import { isRecord } from './record.js';

/** Knative's validateMinMaxScale after both bounds are read: max ≥ min, and max-scale-limit. */
function checkScaleBounds(draft: AnnotationDraft, config: AutoscalerConfig): void {
  const min = draft.values.minScale ?? 0;
  const max = draft.values.maxScale ?? 0;
  const minKey = draft.keys.minScale ?? '';
  if (max !== 0 && max < min) {
    fail(draft, 'maxScale', { code: 'max_below_min', requirement: `must be at least min-scale (${min})` }, String(max), [minKey]);
  }
  const limit = config.maxScaleLimit;
  if (limit <= 0 || draft.values.maxScale === undefined) return;
  const requirement = `must be in [1, ${limit}] (max-scale-limit in config-autoscaler)`;
  if (max > limit) fail(draft, 'maxScale', { code: 'max_scale_above_limit', requirement }, String(max));
  if (max === 0) fail(draft, 'maxScale', { code: 'unlimited_max_scale_with_limit', requirement }, '0 (unlimited)');
}

/** activation-scale: an if/else chain in Knative, so only the first failing rule is reported. */
function checkActivationScale(draft: AnnotationDraft): void {
  const activation = draft.values.activationScale;
  if (activation === undefined) return;
  const min = draft.values.minScale ?? 0;
  const max = draft.values.maxScale ?? 0;
  const shown = String(activation);
  if (min > activation) {
    fail(draft, 'activationScale', { code: 'activation_below_min', requirement: `must be at least min-scale (${min})` }, shown);
  } else if (max !== 0 && max < activation) {
    fail(draft, 'activationScale', { code: 'activation_above_max', requirement: `must be at most max-scale (${max})` }, shown);
  } else if (activation < 2) {
    fail(draft, 'activationScale', { code: 'activation_too_small', requirement: 'must be at least 2' }, shown);
  }
}

/** The class the workload is validated as: its annotation (as written) or the ConfigMap default. */
function effectiveClass(draft: AnnotationDraft, config: AutoscalerConfig): string {
  const raw = draft.keys.class === undefined ? undefined : draft.input[draft.keys.class];
  return typeof raw === 'string' ? raw : config.podAutoscalerClass;
}

/** Every annotation read and checked, in the order of Knative's ValidateAnnotations. */
function readAnnotations(input: Record<string, unknown>, config: AutoscalerConfig): AnnotationDraft {
  const draft: AnnotationDraft = { input, values: {}, keys: {}, issues: [], failed: new Set() };
  readClass(draft);
  readScaleBound(draft, 'minScale');
  readScaleBound(draft, 'maxScale');
  checkScaleBounds(draft, config);
  readActivationScale(draft);
  checkActivationScale(draft);
  readFloats(draft);
  readDurations(draft);
  const cls = effectiveClass(draft, config);
  readMetric(draft, cls);
  readAlgorithm(draft, cls);
  readInitialScale(draft, config.allowZeroInitialScale);
  return draft;
}

const VALUE_OF: Partial<Record<AnnotationName, keyof Annotations>> = {
  window: 'windowMs',
  scaleDownDelay: 'scaleDownDelayMs',
  scaleToZeroPodRetentionPeriod: 'scaleToZeroPodRetentionPeriodMs',
};

/** The values whose annotation passed every rule. */
function passingValues(draft: AnnotationDraft): Annotations {
  const values: Annotations = { ...draft.values };
  for (const name of draft.failed) delete values[VALUE_OF[name] ?? (name as keyof Annotations)];
  return values;
}

const NOT_AN_OBJECT = { code: 'not_an_object', requirement: 'must be an object of string values' } as const;

function readInput(annotations: unknown, config: AutoscalerConfig): AnnotationDraft | ConfigIssue {
  const input = annotations ?? {};
  if (!isRecord(input)) return inputIssue('annotations', NOT_AN_OBJECT);
  try {
    return readAnnotations(input, config);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return inputIssue('annotations', { code: 'internal', requirement: `could not be read: ${reason}` });
  }
}

/**
 * Parses and validates a workload's annotations against the cluster's config (kpa.md c). Never
 * throws; on failure every issue has the full annotation key in `path[0]` and a `params.code`.
 * `undefined`/`null` (no annotations at all) parses to `{}`.
 */
export function parseAnnotations(annotations: Record<string, string> | unknown, config: AutoscalerConfig): z.ZodSafeParseResult<Annotations> {
  const draft = readInput(annotations, config);
  if (!('input' in draft)) return failure([draft]);
  if (draft.issues.length > 0) return failure(draft.issues);
  return { success: true, data: draft.values };
}

/**
 * Use-time reading (what the autoscaler does with annotations the webhook did not check): every
 * annotation that fails a rule is left out (its default applies) and reported in `issues`.
 */
export function resolveAnnotations(annotations: Record<string, string> | unknown, config: AutoscalerConfig): { annotations: Annotations; issues: ConfigIssue[] } {
  const draft = readInput(annotations, config);
  if (!('input' in draft)) return { annotations: {}, issues: [draft] };
  return { annotations: passingValues(draft), issues: draft.issues };
}

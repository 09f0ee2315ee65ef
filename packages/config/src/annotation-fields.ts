// Reading and checking each `autoscaling.knative.dev/*` annotation on its own (kpa.md c; Knative's
// pkg/apis/autoscaling/annotation_validation.go). Cross-annotation rules live in annotations.ts.
import type { AggregationAlgorithm } from '@kpa-ts/scaling';
import type { AnnotationName } from './annotation-keys.js';
import { annotationKeyPriority } from './annotation-keys.js';
import { KNATIVE_HPA_CLASS, KNATIVE_KPA_CLASS, KPA_TS_CLASS } from './config-defaults.js';
import { formatGoDurationNs, nsToMs, roundDurationNs, truncateDurationNs } from './go-duration.js';
import type { ConfigIssue, Problem } from './issues.js';
import { issueAt, showValue } from './issues.js';
import { hasOwn } from './record.js';
import type { Read } from './scalars.js';
import { readDurationNs, readFloat, readInt, readString } from './scalars.js';

/** The parsed annotations: only those present (and valid) are set. Durations in milliseconds. */
export interface Annotations {
  class?: string;
  /** `concurrency` or `rps` for the KPA classes; any non-empty value for HPA; unchecked otherwise. */
  metric?: string;
  target?: number;
  targetUtilizationPercentage?: number;
  targetBurstCapacity?: number;
  windowMs?: number;
  panicWindowPercentage?: number;
  panicThresholdPercentage?: number;
  minScale?: number;
  maxScale?: number;
  initialScale?: number;
  activationScale?: number;
  scaleDownDelayMs?: number;
  scaleToZeroPodRetentionPeriodMs?: number;
  /** `""` and `linear` are both the default (linear); `weightedExponential` is normalised. */
  metricAggregationAlgorithm?: AggregationAlgorithm;
}

/** The state of one parse: values so far, which key each came from, issues, failed annotations. */
export interface AnnotationDraft {
  readonly input: Record<string, unknown>;
  readonly values: Annotations;
  readonly keys: Partial<Record<AnnotationName, string>>;
  readonly issues: ConfigIssue[];
  readonly failed: Set<AnnotationName>;
}

const SECOND_NS = 1_000_000_000n;
const WINDOW_MIN_NS = 6n * SECOND_NS;
const WINDOW_MAX_NS = 3600n * SECOND_NS;
export const MAX_INT32 = 2_147_483_647;

const range = (requirement: string): Problem => ({ code: 'out_of_range', requirement });

export function isKpaClass(cls: string): boolean {
  return cls === KNATIVE_KPA_CLASS || cls === KPA_TS_CLASS;
}

/** kmap.KeyPriority.Get: the first of the annotation's keys present in the input. */
export function lookup(draft: AnnotationDraft, name: AnnotationName): { key: string; raw: unknown } | undefined {
  for (const key of annotationKeyPriority(name)) if (hasOwn(draft.input, key)) return { key, raw: draft.input[key] };
  return undefined;
}

/** Records a failure of `name` (path[0] = the key actually used). */
export function fail(draft: AnnotationDraft, name: AnnotationName, problem: Problem, shown?: string, others: string[] = []): void {
  const found = lookup(draft, name);
  const key = found?.key ?? annotationKeyPriority(name)[0] ?? name;
  draft.failed.add(name);
  draft.issues.push(issueAt(key, shown ?? showValue(found?.raw), problem, others));
}

interface FieldSpec<T> {
  name: AnnotationName;
  read: (raw: unknown) => Read<T>;
  check: (value: T) => Problem | undefined;
  store: (values: Annotations, value: T) => void;
}

/** Reads the annotation if present, checks the parsed value, stores it when it passes. */
function field<T>(draft: AnnotationDraft, spec: FieldSpec<T>): void {
  const found = lookup(draft, spec.name);
  if (found === undefined) return;
  draft.keys[spec.name] = found.key;
  const parsed = spec.read(found.raw);
  const problem = parsed.ok ? spec.check(parsed.value) : parsed.problem;
  if (problem !== undefined) return fail(draft, spec.name, problem);
  if (parsed.ok) spec.store(draft.values, parsed.value);
}

type NumberName = 'target' | 'targetUtilizationPercentage' | 'targetBurstCapacity' | 'panicWindowPercentage' | 'panicThresholdPercentage';

function floatField(draft: AnnotationDraft, name: NumberName, check: (v: number) => Problem | undefined): void {
  field(draft, { name, read: readFloat, check, store: (values, v) => (values[name] = v) });
}

/** An integer read whose overflow should state this annotation's own range. */
function withRange(read: Read<number>, requirement: string): Read<number> {
  return !read.ok && read.problem.code === 'out_of_range' ? { ok: false, problem: range(requirement) } : read;
}

const between = (lo: number, hi: number) => (v: number) => (v < lo || v > hi ? range(`must be in [${lo}, ${hi}]`) : undefined);

export function readClass(draft: AnnotationDraft): void {
  const check = (v: string): Problem | undefined =>
    v.endsWith('.knative.dev') && v !== KNATIVE_KPA_CLASS && v !== KNATIVE_HPA_CLASS
      ? { code: 'invalid_value', requirement: `must be ${KNATIVE_KPA_CLASS} or ${KNATIVE_HPA_CLASS} (the .knative.dev classes)` }
      : undefined;
  field(draft, { name: 'class', read: readString, check, store: (values, v) => (values.class = v) });
}

/** min-scale / max-scale: Knative's getIntGE0 (an int32, at least 0). */
export function readScaleBound(draft: AnnotationDraft, name: 'minScale' | 'maxScale'): void {
  const requirement = `must be in [0, ${MAX_INT32}]`;
  const read = (raw: unknown): Read<number> => withRange(readInt(raw, 32), requirement);
  field(draft, { name, read, check: (v) => (v < 0 ? range(requirement) : undefined), store: (values, v) => (values[name] = v) });
}

export function readFloats(draft: AnnotationDraft): void {
  floatField(draft, 'panicWindowPercentage', between(1, 100));
  floatField(draft, 'panicThresholdPercentage', between(110, 1000));
  floatField(draft, 'target', (v) => (v < 0.01 ? range('must be at least 0.01') : undefined));
  floatField(draft, 'targetUtilizationPercentage', between(1, 100));
  floatField(draft, 'targetBurstCapacity', (v) => (v < 0 && v !== -1 ? range('must be at least 0, or -1 for unlimited') : undefined));
}

const durationRange = (lo: bigint, hi: bigint) => (ns: bigint) =>
  ns < lo || ns > hi ? range(`must be in [${formatGoDurationNs(lo)}, ${formatGoDurationNs(hi)}]`) : undefined;
const NOT_WHOLE: Problem = { code: 'not_whole_seconds', requirement: 'must be a whole number of seconds' };

export function readDurations(draft: AnnotationDraft): void {
  const inWindowRange = durationRange(WINDOW_MIN_NS, WINDOW_MAX_NS);
  const upToWindowMax = durationRange(0n, WINDOW_MAX_NS);
  field(draft, {
    name: 'window',
    read: readDurationNs,
    check: (ns) => inWindowRange(ns) ?? (truncateDurationNs(ns, SECOND_NS) !== ns ? NOT_WHOLE : undefined),
    store: (values, ns) => (values.windowMs = nsToMs(ns)),
  });
  field(draft, {
    name: 'scaleToZeroPodRetentionPeriod',
    read: readDurationNs,
    check: upToWindowMax,
    store: (values, ns) => (values.scaleToZeroPodRetentionPeriodMs = nsToMs(ns)),
  });
  field(draft, {
    name: 'scaleDownDelay',
    read: readDurationNs,
    check: (ns) => upToWindowMax(ns) ?? (roundDurationNs(ns, SECOND_NS) !== ns ? NOT_WHOLE : undefined),
    store: (values, ns) => (values.scaleDownDelayMs = nsToMs(ns)),
  });
}

export function readMetric(draft: AnnotationDraft, effectiveClass: string): void {
  const allowed = (v: string): boolean => {
    if (isKpaClass(effectiveClass)) return v === 'concurrency' || v === 'rps';
    return effectiveClass === KNATIVE_HPA_CLASS ? v !== '' : true;
  };
  const requirement = isKpaClass(effectiveClass) ? 'must be concurrency or rps' : 'must not be empty';
  const check = (v: string): Problem | undefined => (allowed(v) ? undefined : { code: 'invalid_value', requirement });
  field(draft, { name: 'metric', read: readString, check, store: (values, v) => (values.metric = v) });
}

const ALGORITHMS: Readonly<Record<string, AggregationAlgorithm | ''>> = {
  '': '',
  linear: 'linear',
  'weighted-exponential': 'weighted-exponential',
  weightedExponential: 'weighted-exponential',
};

/** Checked only for the KPA classes (other autoscalers may define their own values). */
export function readAlgorithm(draft: AnnotationDraft, effectiveClass: string): void {
  const check = (v: string): Problem | undefined =>
    isKpaClass(effectiveClass) && !hasOwn(ALGORITHMS, v)
      ? { code: 'invalid_value', requirement: 'must be linear, weighted-exponential (or weightedExponential) or empty' }
      : undefined;
  const store = (values: Annotations, v: string): void => {
    const algorithm = hasOwn(ALGORITHMS, v) ? ALGORITHMS[v] : undefined;
    if (algorithm) values.metricAggregationAlgorithm = algorithm; // "" (and unknown values of other classes): default
  };
  field(draft, { name: 'metricAggregationAlgorithm', read: readString, check, store });
}

export function readInitialScale(draft: AnnotationDraft, allowZeroInitialScale: boolean): void {
  const check = (v: number): Problem | undefined => {
    if (v < 0 || v > MAX_INT32) return range(`must be in [0, ${MAX_INT32}]`);
    if (v === 0 && !allowZeroInitialScale) {
      return { code: 'zero_initial_scale_not_allowed', requirement: 'must be at least 1: allow-zero-initial-scale is false in config-autoscaler' };
    }
    return undefined;
  };
  const read = (raw: unknown): Read<number> => withRange(readInt(raw, 64), `must be in [0, ${MAX_INT32}]`);
  field(draft, { name: 'initialScale', read, check, store: (values, v) => (values.initialScale = v) });
}

export function readActivationScale(draft: AnnotationDraft): void {
  const check = (): undefined => undefined; // its rules involve min/max-scale: see annotations.ts
  field(draft, { name: 'activationScale', read: (raw) => readInt(raw, 32), check, store: (values, v) => (values.activationScale = v) });
}

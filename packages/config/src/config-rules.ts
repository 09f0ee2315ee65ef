// Knative's `config-autoscaler` validation (pkg/autoscaler/config/config.go `validate`), in its
// order. Knative stops at the first failure; we report every failing rule, but at most one issue per
// key, and skip a cross-field rule when one of its inputs already failed.
import type { AutoscalerConfig, ConfigField, DurationField } from './config-defaults.js';
import { CONFIG_FIELDS } from './config-defaults.js';
import { formatGoDurationNs, roundDurationNs } from './go-duration.js';
import type { ConfigIssue, ConfigIssueCode } from './issues.js';
import { issueAt } from './issues.js';

/** The parsed map before validation: values, exact nanoseconds for durations, the raw texts. */
export interface ConfigDraft {
  config: AutoscalerConfig;
  ns: Record<DurationField, bigint>;
  raw: Partial<Record<ConfigField, string>>;
}

interface Failure {
  code: ConfigIssueCode;
  requirement: string;
  /** Other fields the failure is about (listed in params.keys after path[0]). */
  others?: ConfigField[];
}

interface Rule {
  /** path[0]; further fields the rule reads, skipped when any of them already failed. */
  fields: [ConfigField, ...ConfigField[]];
  check(d: ConfigDraft): Failure | undefined;
}

const SECOND_NS = 1_000_000_000n;
const WINDOW_MIN_NS = 6n * SECOND_NS;
const WINDOW_MAX_NS = 3600n * SECOND_NS;
/** Knative's `autoscaling.TargetMin`: the smallest per-pod target. */
export const TARGET_MIN = 0.01;

const range = (requirement: string): Failure => ({ code: 'out_of_range', requirement });
const wholeSeconds = (ns: bigint): boolean => roundDurationNs(ns, SECOND_NS) === ns;

const RULES: Rule[] = [
  { fields: ['scaleToZeroGracePeriodMs'], check: (d) => (d.ns.scaleToZeroGracePeriodMs <= 0n ? range('must be positive') : undefined) },
  { fields: ['scaleDownDelayMs'], check: (d) => (d.ns.scaleDownDelayMs < 0n ? range('must not be negative') : undefined) },
  {
    fields: ['scaleDownDelayMs'],
    check: (d) => (wholeSeconds(d.ns.scaleDownDelayMs) ? undefined : { code: 'not_whole_seconds', requirement: 'must be a whole number of seconds' }),
  },
  { fields: ['scaleToZeroPodRetentionPeriodMs'], check: (d) => (d.ns.scaleToZeroPodRetentionPeriodMs < 0n ? range('must not be negative') : undefined) },
  {
    fields: ['targetBurstCapacity'],
    check: ({ config: { targetBurstCapacity: v } }) => (v < 0 && v !== -1 ? range('must be at least 0, or -1 for unlimited') : undefined),
  },
  {
    fields: ['containerConcurrencyTargetFraction'],
    check: ({ config: { containerConcurrencyTargetFraction: f } }) =>
      f <= 0 || f > 1 ? range('must be in (0, 100] (percent; a value of at most 1 is read as a fraction)') : undefined,
  },
  {
    fields: ['containerConcurrencyTargetDefault', 'containerConcurrencyTargetFraction'],
    check: ({ config: c }) => {
      const target = c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault;
      if (target >= TARGET_MIN) return undefined;
      const requirement = `times container-concurrency-target-percentage gives a target of ${target}, must be at least ${TARGET_MIN}`;
      return { code: 'target_too_small', requirement, others: ['containerConcurrencyTargetFraction'] };
    },
  },
  { fields: ['rpsTargetDefault'], check: (d) => (d.config.rpsTargetDefault < TARGET_MIN ? range(`must be at least ${TARGET_MIN}`) : undefined) },
  { fields: ['activatorCapacity'], check: (d) => (d.config.activatorCapacity < 1 ? range('must be at least 1') : undefined) },
  { fields: ['maxScaleUpRate'], check: (d) => (d.config.maxScaleUpRate <= 1 ? range('must be greater than 1.0') : undefined) },
  { fields: ['maxScaleDownRate'], check: (d) => (d.config.maxScaleDownRate <= 1 ? range('must be greater than 1.0') : undefined) },
  {
    fields: ['stableWindowMs'],
    check: ({ ns: { stableWindowMs: w } }) => (w < WINDOW_MIN_NS || w > WINDOW_MAX_NS ? range('must be in [6s, 1h0m0s]') : undefined),
  },
  {
    fields: ['stableWindowMs'],
    check: (d) => (wholeSeconds(d.ns.stableWindowMs) ? undefined : { code: 'not_whole_seconds', requirement: 'must be a whole number of seconds' }),
  },
  {
    fields: ['panicWindowPercentage'],
    check: ({ config: { panicWindowPercentage: p } }) => (p < 1 || p > 100 ? range('must be in [1, 100]') : undefined),
  },
  { fields: ['initialScale', 'allowZeroInitialScale'], check: checkInitialScale },
  { fields: ['minScale'], check: (d) => (d.config.minScale < 0 ? range('must be at least 0') : undefined) },
  { fields: ['maxScale'], check: checkMaxScale },
  { fields: ['maxScaleLimit'], check: (d) => (d.config.maxScaleLimit < 0 ? range('must be at least 0') : undefined) },
  {
    fields: ['minScale', 'maxScale'],
    check: ({ config: { minScale, maxScale } }) =>
      maxScale > 0 && minScale > maxScale
        ? { code: 'max_below_min', requirement: `must not be greater than max-scale (${maxScale})`, others: ['maxScale'] }
        : undefined,
  },
];

function checkInitialScale({ config: c }: ConfigDraft): Failure | undefined {
  if (c.initialScale < 0) return range('must be at least 0');
  if (c.initialScale === 0 && !c.allowZeroInitialScale) {
    return {
      code: 'zero_initial_scale_not_allowed',
      requirement: 'must be at least 1 unless allow-zero-initial-scale is true',
      others: ['allowZeroInitialScale'],
    };
  }
  return undefined;
}

function checkMaxScale({ config: { maxScale, maxScaleLimit } }: ConfigDraft): Failure | undefined {
  if (maxScaleLimit <= 0) return maxScale < 0 ? range('must be at least 0') : undefined;
  const requirement = `must be in [1, max-scale-limit (${maxScaleLimit})]`;
  if (maxScale === 0) return { code: 'unlimited_max_scale_with_limit', requirement, others: ['maxScaleLimit'] };
  if (maxScale < 0) return range(requirement);
  return maxScale > maxScaleLimit ? { code: 'max_scale_above_limit', requirement, others: ['maxScaleLimit'] } : undefined;
}

/** How a field's value appears in a message: the text as written, else the value in Go syntax. */
function shown(d: ConfigDraft, field: ConfigField): string {
  const raw = d.raw[field];
  if (raw !== undefined) return raw;
  if (CONFIG_FIELDS[field].kind === 'duration') return formatGoDurationNs(d.ns[field as DurationField]);
  return String(d.config[field]);
}

/** Every rule that fails, in Knative's order, at most one per key. */
export function validateDraft(d: ConfigDraft): ConfigIssue[] {
  const failed = new Set<ConfigField>();
  const issues: ConfigIssue[] = [];
  for (const rule of RULES) {
    if (rule.fields.some((f) => failed.has(f))) continue;
    const failure = rule.check(d);
    if (failure === undefined) continue;
    const [field] = rule.fields;
    failed.add(field);
    const others = (failure.others ?? []).map((f) => CONFIG_FIELDS[f].key);
    issues.push(issueAt(CONFIG_FIELDS[field].key, shown(d, field), failure, others));
  }
  return issues;
}

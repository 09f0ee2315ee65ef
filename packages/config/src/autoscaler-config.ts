// `parseAutoscalerConfig`: the `config-autoscaler` ConfigMap's data → AutoscalerConfig, Knative's
// parsing (unknown keys ignored, any unparsable value fails the whole map) and validation.
import { z } from 'zod';
import type { AutoscalerConfig, ConfigField, ConfigKey, DurationField } from './config-defaults.js';
import { CONFIG_FIELD_NAMES, CONFIG_FIELDS, DEFAULT_AUTOSCALER_CONFIG } from './config-defaults.js';
import type { ConfigDraft } from './config-rules.js';
import { validateDraft } from './config-rules.js';
import { formatGoDurationMs, msToNs, nsToMs } from './go-duration.js';
import type { ConfigIssue } from './issues.js';
import { failure, inputIssue, issueAt, showValue } from './issues.js';
import type { Read } from './scalars.js';
import { readBool, readDurationNs, readFloat, readInt, readString } from './scalars.js';
import { hasOwn, isRecord } from './record.js';

type FieldValue = string | boolean | number | bigint;

function readField(field: ConfigField, raw: unknown): Read<FieldValue> {
  switch (CONFIG_FIELDS[field].kind) {
    case 'string':
      return readString(raw);
    case 'bool':
      return readBool(raw);
    case 'int32':
      return readInt(raw, 32);
    case 'float':
      return readFloat(raw);
    case 'duration':
      return readDurationNs(raw);
  }
}

function initialDraft(): ConfigDraft {
  const config: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG };
  const ns = {} as Record<DurationField, bigint>;
  for (const field of CONFIG_FIELD_NAMES) {
    if (CONFIG_FIELDS[field].kind === 'duration') ns[field as DurationField] = msToNs(config[field as DurationField]);
  }
  return { config, ns, raw: {} };
}

function setField(draft: ConfigDraft, field: ConfigField, value: FieldValue): void {
  if (typeof value === 'bigint') {
    draft.ns[field as DurationField] = value;
    draft.config[field as DurationField] = nsToMs(value);
  } else {
    (draft.config as unknown as Record<ConfigField, FieldValue>)[field] = value;
  }
}

/** Every known key read over the defaults; parse failures as issues (Knative: fatal for the map). */
function readDraft(data: Record<string, unknown>): { draft: ConfigDraft; issues: ConfigIssue[] } {
  const draft = initialDraft();
  const issues: ConfigIssue[] = [];
  for (const field of CONFIG_FIELD_NAMES) {
    const { key } = CONFIG_FIELDS[field];
    if (!hasOwn(data, key)) continue;
    const raw = data[key];
    const read = readField(field, raw);
    if (!read.ok) {
      issues.push(issueAt(key, showValue(raw), read.problem));
      continue;
    }
    if (typeof raw === 'string') draft.raw[field] = raw;
    setField(draft, field, read.value);
  }
  // Knative keeps the key's legacy meaning: a value above 1 is a percentage, otherwise a fraction.
  if (draft.config.containerConcurrencyTargetFraction > 1) draft.config.containerConcurrencyTargetFraction /= 100;
  return { draft, issues };
}

const NOT_AN_OBJECT = { code: 'not_an_object', requirement: 'must be an object of string values' } as const;

/**
 * The zod schema behind `parseAutoscalerConfig`, for callers composing schemas (e.g. a webhook
 * validating a whole ConfigMap). `undefined`/`null` data (a ConfigMap without `data`) means defaults.
 */
export const autoscalerConfigSchema: z.ZodType<AutoscalerConfig, unknown> = z
  .unknown()
  .transform((input, ctx): AutoscalerConfig => {
    const data = input ?? {};
    if (!isRecord(data)) {
      ctx.addIssue(inputIssue('config-autoscaler data', NOT_AN_OBJECT));
      return z.NEVER;
    }
    const { draft, issues } = readDraft(data);
    const all = issues.length > 0 ? issues : validateDraft(draft);
    for (const issue of all) ctx.addIssue(issue);
    return all.length > 0 ? z.NEVER : draft.config;
  });

/**
 * Parses the `config-autoscaler` ConfigMap's `data` (kpa.md b). Never throws: any input, however
 * malformed, gives `{ success: false, error }` whose issues each name their key in `path[0]`.
 */
export function parseAutoscalerConfig(data: Record<string, string> | unknown): z.ZodSafeParseResult<AutoscalerConfig> {
  try {
    return autoscalerConfigSchema.safeParse(data);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return failure([inputIssue('config-autoscaler data', { code: 'internal', requirement: `could not be read: ${reason}` })]);
  }
}

function formatField(config: AutoscalerConfig, field: ConfigField): string {
  const value = config[field];
  if (CONFIG_FIELDS[field].kind === 'duration') return formatGoDurationMs(value as number);
  return String(value);
}

/**
 * The ConfigMap `data` that parses back to `config` (every key, Go syntax: `60s`, `0.7`, `true`).
 * The target percentage is written as the fraction, which Knative reads back unchanged.
 */
export function autoscalerConfigToData(config: AutoscalerConfig): Record<ConfigKey, string> {
  const data = {} as Record<ConfigKey, string>;
  for (const field of CONFIG_FIELD_NAMES) data[CONFIG_FIELDS[field].key] = formatField(config, field);
  return data;
}

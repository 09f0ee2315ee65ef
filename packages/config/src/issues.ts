// Validation issues: zod custom issues whose path[0] is the ConfigMap key or the full annotation key,
// whose message names the key, the value and the allowed range, and whose `params.code` is a stable
// code for callers and tests to match on (never the message text).
import { z } from 'zod';

export type ConfigIssueCode =
  | 'not_an_object' // the ConfigMap data / annotations are not a plain object
  | 'not_a_string' // a known key whose value is not a string
  | 'invalid_bool'
  | 'invalid_int'
  | 'invalid_float'
  | 'invalid_duration'
  | 'not_finite' // NaN or ±Inf: Go parses them, we refuse them (see README)
  | 'out_of_range'
  | 'not_whole_seconds'
  | 'invalid_value' // class, metric, metric-aggregation-algorithm, target-burst-capacity
  | 'zero_initial_scale_not_allowed'
  | 'target_too_small' // container-concurrency-target-percentage × default < 0.01
  | 'max_below_min'
  | 'max_scale_above_limit'
  | 'unlimited_max_scale_with_limit'
  | 'activation_below_min'
  | 'activation_above_max'
  | 'activation_too_small'
  | 'internal'; // the input could not even be read (a throwing getter, a revoked Proxy)

export interface ConfigIssueParams {
  code: ConfigIssueCode;
  /** Every key the issue is about, path[0] first (cross-field rules name both). */
  keys: string[];
}

/** A zod custom issue (assignable to `z.core.$ZodIssue`) with our params. */
export type ConfigIssue = { code: 'custom'; path: PropertyKey[]; message: string; params: ConfigIssueParams };

/** A rule that failed, before it is tied to a key. */
export interface Problem {
  code: ConfigIssueCode;
  /** What the value must be, e.g. "must be greater than 1.0". */
  requirement: string;
}

/** `max-scale-up-rate = 0.5, must be greater than 1.0`: key, value, requirement. */
export function issueAt(key: string, shown: string, problem: Problem, otherKeys: string[] = []): ConfigIssue {
  return {
    code: 'custom',
    path: [key],
    message: `${key} = ${shown}, ${problem.requirement}`,
    params: { code: problem.code, keys: [key, ...otherKeys] },
  };
}

/** An issue about the whole input (not an object, unreadable): path is empty. */
export function inputIssue(what: string, problem: Problem): ConfigIssue {
  return { code: 'custom', path: [], message: `${what} ${problem.requirement}`, params: { code: problem.code, keys: [] } };
}

/** How a raw value appears in a message: the text itself, quoted when it would be unreadable. */
export function showValue(raw: unknown): string {
  if (typeof raw === 'string') return raw === '' || /[\s"\\]|[^\x20-\x7e]/.test(raw) ? JSON.stringify(raw) : raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return `${String(raw)} (${typeof raw})`;
  if (raw === null) return 'null';
  return Array.isArray(raw) ? 'an array' : `a value of type ${typeof raw}`;
}

/** The stable code of any issue in a result of ours: `params.code`, else zod's own `code`. */
export function issueCode(issue: z.core.$ZodIssue): string {
  const params: unknown = issue.code === 'custom' ? issue.params : undefined;
  if (typeof params === 'object' && params !== null && 'code' in params && typeof params.code === 'string') {
    return params.code;
  }
  return issue.code;
}

/** A failed safeParse-shaped result carrying `issues`. */
export function failure<T>(issues: z.core.$ZodIssue[]): z.ZodSafeParseError<T> {
  return { success: false, error: new z.ZodError(issues) as z.ZodError<T> };
}

/**
 * Thrown by callers that prefer exceptions (`throw new ConfigError('config-autoscaler', result.error)`):
 * a stable `code` plus every issue, each with its own code and key.
 */
export class ConfigError extends Error {
  readonly code = 'KPA_CONFIG_INVALID';
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(source: string, error: z.ZodError, options?: { cause?: unknown }) {
    super(`invalid ${source}: ${error.issues.map((i) => i.message).join('; ')}`, options);
    this.name = 'ConfigError';
    this.issues = error.issues;
  }
}

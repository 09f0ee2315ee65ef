// Reading one ConfigMap / annotation value (unknown: it may not even be a string) as Go would,
// turning every failure into a Problem with a stable code.
import { parseGoDurationNs } from './go-duration.js';
import { parseGoBool, parseGoFloat, parseGoInt } from './go-number.js';
import type { Problem } from './issues.js';

export type Read<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const NOT_A_STRING: Read<never> = { ok: false, problem: { code: 'not_a_string', requirement: 'must be a string' } };

export function readString(raw: unknown): Read<string> {
  return typeof raw === 'string' ? { ok: true, value: raw } : NOT_A_STRING;
}

export function readBool(raw: unknown): Read<boolean> {
  if (typeof raw !== 'string') return NOT_A_STRING;
  const parsed = parseGoBool(raw);
  if (parsed.ok) return parsed;
  return { ok: false, problem: { code: 'invalid_bool', requirement: 'must be a bool: true or false (any case), 1 or 0' } };
}

/** A decimal integer in Go's int32 (`bits` 32) or int64 range; range errors are `out_of_range`. */
export function readInt(raw: unknown, bits: 32 | 64): Read<number> {
  if (typeof raw !== 'string') return NOT_A_STRING;
  const parsed = parseGoInt(raw, bits);
  if (parsed.ok) return parsed;
  const range = bits === 32 ? '[-2147483648, 2147483647]' : 'the int64 range';
  if (parsed.reason === 'value out of range') return { ok: false, problem: { code: 'out_of_range', requirement: `must be in ${range}` } };
  return { ok: false, problem: { code: 'invalid_int', requirement: `must be a decimal integer in ${range}` } };
}

/** A Go float64 literal; NaN and ±Inf (which Go accepts) are refused as `not_finite`. */
export function readFloat(raw: unknown): Read<number> {
  if (typeof raw !== 'string') return NOT_A_STRING;
  const parsed = parseGoFloat(raw);
  if (!parsed.ok) {
    const requirement = parsed.reason === 'value out of range' ? 'must be within the float64 range' : 'must be a number';
    return { ok: false, problem: { code: 'invalid_float', requirement } };
  }
  if (!Number.isFinite(parsed.value)) return { ok: false, problem: { code: 'not_finite', requirement: 'must be a finite number' } };
  return parsed;
}

/** A Go duration (`60s`, `1m30s`, `1.5h`, `500ms`, `0`), in nanoseconds. */
export function readDurationNs(raw: unknown): Read<bigint> {
  if (typeof raw !== 'string') return NOT_A_STRING;
  const parsed = parseGoDurationNs(raw);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    problem: { code: 'invalid_duration', requirement: `must be a Go duration such as 60s, 1m30s, 1.5h or 500ms (${parsed.reason})` },
  };
}

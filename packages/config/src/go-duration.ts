// Go's duration syntax (`time.ParseDuration`, `Duration.String`, `Duration.Round`), reimplemented so
// that a ConfigMap or annotation value means here exactly what it means to Knative. Nanoseconds are
// kept as bigint while parsing (Go's int64 range does not fit a double); callers get milliseconds.

/** The outcome of one scalar parse: the value, or why the text is not one. */
export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

const NS_PER_MS = 1_000_000n;
/** 1 << 63: the magnitude Go accepts for a negative duration; a positive one stops one below. */
const INT64_LIMIT = 1n << 63n;

const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Scan<T> {
  value: T;
  rest: string;
}

/** [0-9]* as an unsigned integer; undefined when it passes 1 << 63 (Go: overflow is an error). */
function leadingInt(s: string): Scan<bigint> | undefined {
  let x = 0n;
  let i = 0;
  for (; isDigit(s[i]); i++) {
    x = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (x > INT64_LIMIT) return undefined;
  }
  return { value: x, rest: s.slice(i) };
}

/** [0-9]* after the dot: digits beyond int64 precision are consumed but no longer counted. */
function leadingFraction(s: string): Scan<{ f: bigint; scale: number }> {
  let f = 0n;
  let scale = 1;
  let overflow = false;
  let i = 0;
  for (; isDigit(s[i]); i++) {
    if (overflow) continue;
    const next = f * 10n + BigInt(s.charCodeAt(i) - 48);
    if (f > (INT64_LIMIT - 1n) / 10n || next > INT64_LIMIT) {
      overflow = true;
      continue;
    }
    f = next;
    scale *= 10;
  }
  return { value: { f, scale }, rest: s.slice(i) };
}

/** One `<number><unit>` component in nanoseconds, or the reason it is not one. */
function component(s: string): ParseOutcome<Scan<bigint>> {
  if (!(s[0] === '.' || isDigit(s[0]))) return { ok: false, reason: 'invalid duration' };
  const int = leadingInt(s);
  if (int === undefined) return { ok: false, reason: 'invalid duration' };
  let rest = int.rest;
  const pre = rest.length !== s.length;
  let frac = { f: 0n, scale: 1 };
  let post = false;
  if (rest[0] === '.') {
    const scanned = leadingFraction(rest.slice(1));
    post = scanned.rest.length !== rest.length - 1;
    frac = scanned.value;
    rest = scanned.rest;
  }
  if (!pre && !post) return { ok: false, reason: 'invalid duration' };
  let i = 0;
  while (i < rest.length && rest[i] !== '.' && !isDigit(rest[i])) i++;
  if (i === 0) return { ok: false, reason: 'missing unit in duration' };
  const unitName = rest.slice(0, i);
  const unit = UNIT_NS.get(unitName);
  if (unit === undefined) return { ok: false, reason: `unknown unit "${unitName}" in duration` };
  if (int.value > INT64_LIMIT / unit) return { ok: false, reason: 'invalid duration' };
  let v = int.value * unit;
  if (frac.f > 0n) {
    // Go computes the fractional part in float64 (nanosecond-accurate up to hours) and truncates.
    v += BigInt(Math.trunc(Number(frac.f) * (Number(unit) / frac.scale)));
    if (v > INT64_LIMIT) return { ok: false, reason: 'invalid duration' };
  }
  return { ok: true, value: { value: v, rest: rest.slice(i) } };
}

/**
 * Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or a bare `0`, units ns, us (µs, μs),
 * ms, s, m, h, range of an int64 in nanoseconds. Returns nanoseconds.
 */
export function parseGoDurationNs(text: string): ParseOutcome<bigint> {
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return { ok: false, reason: 'invalid duration' };
  let total = 0n;
  while (s !== '') {
    const next = component(s);
    if (!next.ok) return next;
    total += next.value.value;
    if (total > INT64_LIMIT) return { ok: false, reason: 'invalid duration' };
    s = next.value.rest;
  }
  if (negative) return { ok: true, value: -total };
  if (total > INT64_LIMIT - 1n) return { ok: false, reason: 'invalid duration' };
  return { ok: true, value: total };
}

/** Go's `time.ParseDuration`, in milliseconds (fractional below 1 ms). */
export function parseGoDurationMs(text: string): ParseOutcome<number> {
  const parsed = parseGoDurationNs(text);
  return parsed.ok ? { ok: true, value: nsToMs(parsed.value) } : parsed;
}

/** Nanoseconds to milliseconds; exact for every whole-millisecond value. */
export function nsToMs(ns: bigint): number {
  const whole = ns / NS_PER_MS;
  const rest = ns % NS_PER_MS;
  return rest === 0n ? Number(whole) : Number(whole) + Number(rest) / 1e6;
}

/** Milliseconds to nanoseconds, rounded to the nearest nanosecond. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Go's `Duration.Round(m)` for m > 0: halves round away from zero, saturating at the int64 bounds. */
export function roundDurationNs(d: bigint, m: bigint): bigint {
  const magnitude = d < 0n ? -d : d;
  const r = magnitude % m;
  const rounded = r + r < m ? magnitude - r : magnitude + m - r;
  // Like Go, saturate at the int64 bounds instead of overflowing.
  return d < 0n ? -(rounded > INT64_LIMIT ? INT64_LIMIT : rounded) : rounded > INT64_LIMIT - 1n ? INT64_LIMIT - 1n : rounded;
}

/** Go's `Duration.Truncate(m)` for m > 0: toward zero. */
export function truncateDurationNs(d: bigint, m: bigint): bigint {
  return d - (d % m);
}

/** The `.123` part of Go's `Duration.String`: the remainder over `digits` places, zeros trimmed. */
function fractionString(ns: bigint, digits: number): string {
  const text = ns.toString().padStart(digits, '0');
  const trimmed = text.replace(/0+$/, '');
  return trimmed === '' ? '' : `.${trimmed}`;
}

function subSecondString(ns: bigint): string {
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${ns / 1_000n}${fractionString(ns % 1_000n, 3)}\u00b5s`;
  return `${ns / 1_000_000n}${fractionString(ns % 1_000_000n, 6)}ms`;
}

/** Go's `Duration.String`: `1h0m1s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDurationNs(d: bigint): string {
  if (d === 0n) return '0s';
  const sign = d < 0n ? '-' : '';
  const u = d < 0n ? -d : d;
  if (u < 1_000_000_000n) return sign + subSecondString(u);
  const seconds = u / 1_000_000_000n;
  const secondText = `${seconds % 60n}${fractionString(u % 1_000_000_000n, 9)}s`;
  const minutes = seconds / 60n;
  if (minutes === 0n) return sign + secondText;
  const hours = minutes / 60n;
  const minuteText = `${minutes % 60n}m`;
  return sign + (hours === 0n ? minuteText : `${hours}h${minuteText}`) + secondText;
}

/** Go's `Duration.String` for a millisecond value. */
export function formatGoDurationMs(ms: number): string {
  return formatGoDurationNs(msToNs(ms));
}

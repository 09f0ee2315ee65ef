// The Go-syntax parsers against Go itself: test/golden/go-scalars.json is written by
// scripts/go-scalars.go (time.ParseDuration, strconv.ParseFloat/ParseInt/ParseBool, Duration
// String/Round/Truncate, Knative's panic-window rounding) over edge cases and random strings.
// One `it` per parser; a failure lists every input that disagrees with Go.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  formatGoDurationNs,
  parseGoDurationMs,
  parseGoDurationNs,
  roundDurationNs,
  truncateDurationNs,
} from '../src/go-duration.js';
import { parseGoBool, parseGoFloat, parseGoInt } from '../src/go-number.js';

interface Golden {
  durations: { in: string; ok: boolean; ns?: string }[];
  floats: { in: string; ok: boolean; err?: string; bits?: string }[];
  int32s: { in: string; ok: boolean; err?: string; value?: number }[];
  bools: { in: string; ok: boolean; value?: boolean }[];
  durationMath: { ns: string; string: string; round1s: string; trunc1s: string }[];
  panicWindows: { stableNs: string; percent: number; panicNs: string }[];
}

const golden = JSON.parse(readFileSync(new URL('./golden/go-scalars.json', import.meta.url), 'utf8')) as Golden;

function float64Bits(x: number): string {
  if (Number.isNaN(x)) return 'NaN'; // Go's NaN payload differs from V8's; NaN is NaN
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

const reasonOf = (err: string | undefined): string => (err === 'range' ? 'value out of range' : 'invalid syntax');

/** Every case whose actual result differs from the expected one, as [input, expected, actual]. */
function mismatches<C extends { in: string }>(cases: C[], expected: (c: C) => unknown, actual: (c: C) => unknown): unknown[] {
  return cases
    .map((c) => [c.in, expected(c), actual(c)] as const)
    .filter(([, want, got]) => JSON.stringify(want) !== JSON.stringify(got));
}

describe('scalar parsers agree with Go on every golden input', () => {
  it(`parseGoDurationNs = time.ParseDuration (${golden.durations.length} inputs)`, () => {
    const result = mismatches(
      golden.durations,
      (c) => (c.ok ? c.ns : 'error'),
      (c) => {
        const got = parseGoDurationNs(c.in);
        return got.ok ? got.value.toString() : 'error';
      },
    );
    expect(result).toEqual([]);
  });

  it(`parseGoFloat = strconv.ParseFloat(s, 64) (${golden.floats.length} inputs, bit-exact)`, () => {
    const result = mismatches(
      golden.floats,
      (c) => (c.ok ? (c.bits?.startsWith('7ff8') ? 'NaN' : c.bits) : reasonOf(c.err)),
      (c) => {
        const got = parseGoFloat(c.in);
        return got.ok ? float64Bits(got.value) : got.reason;
      },
    );
    expect(result).toEqual([]);
  });

  it(`parseGoInt(s, 32) = strconv.ParseInt(s, 10, 32) (${golden.int32s.length} inputs)`, () => {
    const result = mismatches(
      golden.int32s,
      (c) => (c.ok ? (c.value ?? 0) : reasonOf(c.err)),
      (c) => {
        const got = parseGoInt(c.in, 32);
        return got.ok ? got.value : got.reason;
      },
    );
    expect(result).toEqual([]);
  });

  it('parseGoBool = strconv.ParseBool, except that any letter case is accepted', () => {
    const goAccepts = (s: string): boolean => golden.bools.some((g) => g.ok && g.in.toLowerCase() === s.toLowerCase());
    const result = mismatches(
      golden.bools,
      (c) => (goAccepts(c.in) ? golden.bools.find((g) => g.ok && g.in.toLowerCase() === c.in.toLowerCase())?.value ?? false : 'error'),
      (c) => {
        const got = parseGoBool(c.in);
        return got.ok ? got.value : 'error';
      },
    );
    expect(result).toEqual([]);
  });

  it(`Duration String / Round(1s) / Truncate(1s) (${golden.durationMath.length} values)`, () => {
    const cases = golden.durationMath.map((c) => ({ ...c, in: c.ns }));
    const result = mismatches(
      cases,
      (c) => [c.string, c.round1s, c.trunc1s],
      (c) => {
        const ns = BigInt(c.ns);
        const second = 1_000_000_000n;
        return [formatGoDurationNs(ns), roundDurationNs(ns, second).toString(), truncateDurationNs(ns, second).toString()];
      },
    );
    expect(result).toEqual([]);
  });

  it('Duration String output parses back to the same duration', () => {
    const result = golden.durationMath.filter((c) => {
      const back = parseGoDurationNs(c.string);
      return !(back.ok && back.value.toString() === c.ns);
    });
    expect(result).toEqual([]);
  });
});

describe('parseGoDurationMs', () => {
  it.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['1500us', 1.5],
    ['-2s', -2_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDurationMs(text)).toEqual({ ok: true, value: ms });
  });

  it.each(['', '60', '1 s', '1sec', '1S', '.s', '1e3s', '9223372036854775808ns'])('%j is not a duration', (text) => {
    expect(parseGoDurationMs(text).ok).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decisionCodec, pokeCodec, statCodec, type DecisionRecord, type MalformedReason, type PokeRecord, type StatRecord } from '@kpa-ts/bus';

const stat: StatRecord = { ns: 'default', rev: 'hello-00001', pod: 'hello-00001-abc', ts: 1_700_000_000_000, conc: 1.25, pconc: 0.5, reqs: 12, preqs: 3, uptime: 42.5, src: 'qp' };
const poke: PokeRecord = { ns: 'default', rev: 'hello-00001', ts: 1_700_000_000_000, activator: 'activator-0' };
const decision: DecisionRecord = { ns: 'default', rev: 'hello-00001', ts: 1_700_000_000_000, desired: 3, ready: 2, ebc: -17.5, mode: 'proxy', numActivators: 2, podCapacity: 10 };

/** Flat fields of `stat` with `patch` applied (undefined removes a field). */
function statFields(patch: Record<string, string | undefined>): string[] {
  const encoded = statCodec.encode(stat);
  if (!encoded.ok) throw new Error('fixture does not encode');
  const record: Record<string, string | undefined> = {};
  for (let i = 0; i < encoded.fields.length; i += 2) record[encoded.fields[i]!] = encoded.fields[i + 1];
  Object.assign(record, patch);
  return Object.entries(record).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

describe('round trips', () => {
  it.each([
    ['stats', statCodec, stat],
    ['poke', pokeCodec, poke],
    ['decisions', decisionCodec, decision],
  ] as const)('%s: decode(encode(x)) = x, with v = 1 first', (_kind, codec, value) => {
    const encoded = (codec.encode as (v: unknown) => ReturnType<typeof statCodec.encode>)(value);
    expect(encoded.ok).toBe(true);
    if (!encoded.ok) return;
    expect(encoded.fields.slice(0, 2)).toEqual(['v', '1']);
    expect(codec.decode(encoded.fields)).toEqual({ ok: true, value });
  });

  it('any valid stat survives the round trip exactly (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 40 });
    const load = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.record({ ns: name, rev: name, pod: name, ts: fc.integer({ min: 0, max: 9e12 }), conc: load, pconc: load, reqs: load, preqs: load, uptime: fc.double({ min: 0, max: 9e9, noNaN: true }), src: fc.constantFrom('qp' as const, 'act' as const) }),
        (s) => {
          const encoded = statCodec.encode(s);
          if (!encoded.ok) return false;
          const decoded = statCodec.decode(encoded.fields);
          // -0 travels as "0"
          return decoded.ok && JSON.stringify(decoded.value) === JSON.stringify({ ...s, conc: s.conc || 0, pconc: s.pconc || 0, reqs: s.reqs || 0, preqs: s.preqs || 0, uptime: s.uptime || 0 });
        },
      ),
      { numRuns: 500, seed: 4 },
    );
  });

  it('ignores extra fields of the same version (forward compatible within v1)', () => {
    expect(statCodec.decode([...statFields({}), 'future', 'x']).ok).toBe(true);
  });
});

describe('decode failures say why', () => {
  const cases: { name: string; raw: unknown; reason: MalformedReason }[] = [
    { name: 'not an array', raw: 'v 1', reason: 'bad_shape' },
    { name: 'null (an entry deleted while pending)', raw: null, reason: 'bad_shape' },
    { name: 'odd number of fields', raw: ['v', '1', 'ns'], reason: 'bad_shape' },
    { name: 'a non-string field name', raw: ['v', '1', 3, 'x'], reason: 'bad_shape' },
    { name: 'more than 64 fields', raw: Array.from({ length: 130 }, (_, i) => String(i)), reason: 'bad_shape' },
    { name: 'no version', raw: statFields({ v: undefined }), reason: 'missing_version' },
    { name: 'version 2', raw: statFields({ v: '2' }), reason: 'unknown_version' },
    { name: 'version "1.0"', raw: statFields({ v: '1.0' }), reason: 'unknown_version' },
    { name: 'missing pod', raw: statFields({ pod: undefined }), reason: 'invalid_fields' },
    { name: 'empty ns', raw: statFields({ ns: '' }), reason: 'invalid_fields' },
    { name: 'a 254-character rev', raw: statFields({ rev: 'r'.repeat(254) }), reason: 'invalid_fields' },
    { name: 'non-numeric conc', raw: statFields({ conc: 'lots' }), reason: 'invalid_fields' },
    { name: 'hex reqs', raw: statFields({ reqs: '0x10' }), reason: 'invalid_fields' },
    { name: 'blank conc', raw: statFields({ conc: ' 1' }), reason: 'invalid_fields' },
    { name: 'NaN conc', raw: statFields({ conc: 'NaN' }), reason: 'invalid_fields' },
    { name: 'Infinity conc', raw: statFields({ conc: 'Infinity' }), reason: 'invalid_fields' },
    { name: 'huge conc', raw: statFields({ conc: '1e300' }), reason: 'invalid_fields' },
    { name: 'negative reqs', raw: statFields({ reqs: '-1' }), reason: 'invalid_fields' },
    { name: 'fractional ts', raw: statFields({ ts: '1.5' }), reason: 'invalid_fields' },
    { name: 'ts beyond 2^53', raw: statFields({ ts: '99999999999999999999' }), reason: 'invalid_fields' },
    { name: 'unknown src', raw: statFields({ src: 'lb' }), reason: 'invalid_fields' },
  ];
  it.each(cases)('$name → $reason', ({ raw, reason }) => {
    const decoded = statCodec.decode(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toBe(reason);
  });

  it('a "__proto__" field cannot reach a prototype', () => {
    const decoded = statCodec.decode(['__proto__', 'x', ...statFields({})]);
    expect(decoded.ok).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([
    ['decisions: negative desired', decisionCodec, { ...decision, desired: -1 }],
    ['decisions: unknown mode', decisionCodec, { ...decision, mode: 'both' }],
    ['poke: empty activator', pokeCodec, { ...poke, activator: '' }],
    ['stats: NaN conc', statCodec, { ...stat, conc: Number.NaN }],
  ] as const)('encode refuses %s', (_name, codec, value) => {
    expect((codec.encode as (v: unknown) => { ok: boolean })(value).ok).toBe(false);
  });
});

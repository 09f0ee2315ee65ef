import { describe, expect, it } from '@jest/globals';
import { decisionCodec, type DecisionRecord } from '@kpa-ts/bus';
import { StatusBoard } from '../src/status/board.js';
import { decodeHashEntry, decodeLatestHash, splitField, type StatusRow } from '../src/status/rows.js';

const HELLO: DecisionRecord = { ns: 'default', rev: 'hello-00001', ts: 1_700_000_000_000, desired: 3, ready: 2, ebc: -11.5, mode: 'proxy', numActivators: 2, podCapacity: 100 };

/** The hash value exactly as the bus's publisher writes it: the codec's wire fields as a JSON object. */
function published(d: DecisionRecord): string {
  const encoded = decisionCodec.encode(d);
  if (!encoded.ok) throw new Error(encoded.detail);
  const record: Record<string, string> = {};
  for (let i = 0; i < encoded.fields.length; i += 2) record[encoded.fields[i] as string] = encoded.fields[i + 1] as string;
  return JSON.stringify(record);
}

const wire = JSON.parse(published(HELLO)) as Record<string, string>;
const variant = (patch: Record<string, unknown>): string => JSON.stringify({ ...wire, ...patch });

describe('decodeHashEntry', () => {
  it('decodes what the publisher writes, through the bus codec', () => {
    expect(decodeHashEntry('default/hello-00001', published(HELLO))).toEqual({ kind: 'decision', field: 'default/hello-00001', decision: HELLO });
  });

  it('reads non-string JSON values as the bus watcher does (their JSON text)', () => {
    const row = decodeHashEntry('default/hello-00001', variant({ desired: 3, v: 1 }));
    expect(row).toMatchObject({ kind: 'decision', decision: { desired: 3 } });
  });

  it('ignores extra fields of the same version (a v1 producer may add one)', () => {
    expect(decodeHashEntry('default/hello-00001', variant({ zone: 'a' }))).toMatchObject({ kind: 'decision', decision: HELLO });
  });

  it.each([
    // [what, hash value, reason]
    ['not JSON', 'desired=3', 'bad_shape'],
    ['a JSON array', '["v","1"]', 'bad_shape'],
    ['JSON null', 'null', 'bad_shape'],
    ['a JSON string', '"x"', 'bad_shape'],
    ['no version', JSON.stringify({ ...wire, v: undefined }), 'missing_version'],
    ['version 2', variant({ v: '2' }), 'unknown_version'],
    ['a negative desired count', variant({ desired: '-1' }), 'invalid_fields'],
    ['a hex number', variant({ ready: '0x10' }), 'invalid_fields'],
    ['an unknown mode', variant({ mode: 'bypass' }), 'invalid_fields'],
    ['a missing field', variant({ podCapacity: undefined }), 'invalid_fields'],
    ['more than 64 fields', JSON.stringify(Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}`, '1']))), 'bad_shape'],
    ['another revision than its field', variant({ rev: 'hello-00002' }), 'field_mismatch'],
  ])('%s → malformed (%s)', (_what, json, reason) => {
    const row = decodeHashEntry('default/hello-00001', json);
    expect(row).toMatchObject({ kind: 'malformed', field: 'default/hello-00001', namespace: 'default', revision: 'hello-00001', reason });
  });

  it('cuts a huge garbage field to a displayable length', () => {
    const row = decodeHashEntry(`ns/${'x'.repeat(5000)}`, '{}');
    expect(row.kind === 'malformed' && row.revision.length).toBeLessThanOrEqual(120);
  });
});

describe('splitField', () => {
  it.each([
    ['default/hello', { namespace: 'default', revision: 'hello' }],
    ['a/b/c', { namespace: 'a', revision: 'b/c' }],
    ['no-slash', { namespace: '?', revision: 'no-slash' }],
  ])('%s', (field, want) => expect(splitField(field)).toEqual(want));
});

describe('decodeLatestHash', () => {
  const hash = {
    'prod/b-00001': published({ ...HELLO, ns: 'prod', rev: 'b-00001' }),
    'default/z-00001': published({ ...HELLO, rev: 'z-00001' }),
    'default/broken': '{"v":"1"}',
    'prod/a-00001': published({ ...HELLO, ns: 'prod', rev: 'a-00001' }),
  };
  const names = (rows: StatusRow[]): string[] => rows.map((r) => `${r.kind}:${r.field}`);

  it('every entry, sorted by namespace then revision, malformed ones in place', () => {
    expect(names(decodeLatestHash(hash))).toEqual(['malformed:default/broken', 'decision:default/z-00001', 'decision:prod/a-00001', 'decision:prod/b-00001']);
  });

  it('--namespace keeps one namespace (malformed entries by their field)', () => {
    expect(names(decodeLatestHash(hash, 'default'))).toEqual(['malformed:default/broken', 'decision:default/z-00001']);
    expect(decodeLatestHash(hash, 'nowhere')).toEqual([]);
  });

  it('an empty hash is no rows', () => {
    expect(decodeLatestHash({})).toEqual([]);
  });
});

describe('StatusBoard (what --watch shows)', () => {
  const initial = decodeLatestHash({ 'default/hello-00001': '{"v":"1"}', 'default/other-00001': published({ ...HELLO, rev: 'other-00001' }) });

  it('a decision replaces the malformed row of its revision', () => {
    const board = new StatusBoard(initial);
    expect(board.apply(HELLO)).toBe(true);
    expect(board.rows().map((r) => r.kind)).toEqual(['decision', 'decision']);
  });

  it('the same decision again changes nothing (the watcher reloads the hash on reconnection)', () => {
    const board = new StatusBoard(initial);
    board.apply(HELLO);
    expect(board.apply({ ...HELLO })).toBe(false);
    expect(board.apply({ ...HELLO, ts: HELLO.ts + 2000 })).toBe(true);
  });

  it('a new revision is added in order', () => {
    const board = new StatusBoard(initial);
    board.apply({ ...HELLO, rev: 'abc-00001' });
    expect(board.rows().map((r) => r.field)).toEqual(['default/abc-00001', 'default/hello-00001', 'default/other-00001']);
  });

  it('with --namespace, other namespaces are ignored', () => {
    const board = new StatusBoard([], 'prod');
    expect(board.apply(HELLO)).toBe(false);
    expect(board.apply({ ...HELLO, ns: 'prod' })).toBe(true);
    expect(board.rows()).toHaveLength(1);
  });
});

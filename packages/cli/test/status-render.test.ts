import { describe, expect, it } from '@jest/globals';
import type { DecisionRecord } from '@kpa-ts/bus';
import { StatusBoard } from '../src/status/board.js';
import { decisionLine, formatAge, maskRedisUrl, renderStatusJson, renderStatusTable, type StatusSource } from '../src/status/render.js';
import { decisionRow, decodeHashEntry, type StatusRow } from '../src/status/rows.js';
import { CLEAR_SCREEN, jsonOutput, plainOutput, ttyOutput } from '../src/status/watch-output.js';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);
const SOURCE: StatusSource = { key: 'kpa:decisions:latest', redis: 'redis://127.0.0.1:6379', namespace: undefined };

const decision = (patch: Partial<DecisionRecord>): DecisionRecord => ({
  ns: 'default', rev: 'hello-00001', ts: NOW - 4_000, desired: 3, ready: 3, ebc: 89, mode: 'serve', numActivators: 2, podCapacity: 100, ...patch,
});

const ROWS: StatusRow[] = [
  decisionRow(decision({})),
  decodeHashEntry('default/broken-00001', '{"v":"1","ns":"default"}'),
  decisionRow(decision({ ns: 'production', rev: 'devops-toolkit-00001', ts: NOW - 125_000, desired: 0, ready: 0, ebc: -211, mode: 'proxy', podCapacity: 0 })),
];

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [4_000, '4s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [125_000, '2m05s'],
    [3_600_000, '1h00m'],
    [3_720_000, '1h02m'],
    [86_400_000 + 4 * 3_600_000, '1d04h'],
    [-2_000, '-2s'], // a decision from the future: the autoscaler's clock is ahead
  ])('%d ms → %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe('maskRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:secret@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['rediss://user:secret@127.0.0.1:6380', 'rediss://user:***@127.0.0.1:6380'],
  ])('%s → %s', (url, shown) => expect(maskRedisUrl(url)).toBe(shown));
});

describe('renderStatusTable', () => {
  it('one row per revision, malformed entries shown as such, counted in the footer', () => {
    expect(renderStatusTable(ROWS, NOW, SOURCE)).toBe(
      [
        'NAMESPACE   REVISION              DESIRED  READY  MODE    EBC  ACTIVATORS  POD CAPACITY    AGE',
        'default     hello-00001                 3      3  serve    89           2           100     4s',
        'default     broken-00001                -      -  -         -           -             -      -  malformed: invalid_fields (rev: Invalid input: expected string, received undefined)',
        'production  devops-toolkit-00001        0      0  proxy  -211           2     unlimited  2m05s',
        '',
        '2 revisions, 1 malformed entry in kpa:decisions:latest at redis://127.0.0.1:6379',
        '',
      ].join('\n'),
    );
  });

  it('nothing to show: just the footer, naming where it looked', () => {
    expect(renderStatusTable([], NOW, { ...SOURCE, namespace: 'prod' })).toBe('0 revisions, 0 malformed entries in kpa:decisions:latest at redis://127.0.0.1:6379 (namespace prod)\n');
  });
});

describe('renderStatusJson', () => {
  it('the rows with their numbers, time and age; malformed ones with reason and detail', () => {
    const doc = JSON.parse(renderStatusJson(ROWS, NOW, SOURCE)) as Record<string, unknown>;
    expect(doc).toMatchObject({ key: 'kpa:decisions:latest', namespace: null, nowMs: NOW, revisions: 2, malformed: 1 });
    expect(doc['rows']).toEqual([
      { status: 'ok', namespace: 'default', revision: 'hello-00001', desired: 3, ready: 3, mode: 'serve', excessBurstCapacity: 89, numActivators: 2, podCapacity: 100, decidedAtMs: NOW - 4000, ageMs: 4000 },
      { status: 'malformed', namespace: 'default', revision: 'broken-00001', field: 'default/broken-00001', reason: 'invalid_fields', detail: 'rev: Invalid input: expected string, received undefined' },
      expect.objectContaining({ status: 'ok', namespace: 'production', podCapacity: 0, ageMs: 125_000 }),
    ]);
  });
});

describe('decisionLine', () => {
  it('a grep-able line per decision', () => {
    expect(decisionLine(decision({ podCapacity: 0 }), NOW)).toBe(
      '2025-01-02T03:04:05.000Z default/hello-00001 desired=3 ready=3 mode=serve ebc=89 activators=2 pod-capacity=unlimited age=4s\n',
    );
  });
});

describe('--watch outputs', () => {
  const setup = () => {
    let text = '';
    const board = new StatusBoard(ROWS);
    return { board, options: { board, source: SOURCE, write: (t: string) => void (text += t) }, text: () => text };
  };
  const newer = decision({ desired: 5, ts: NOW });
  const counters = { changes: 1, skipped: 0, reconnects: 0 };

  it('terminal: the whole screen redrawn on every tick, counters at the bottom', () => {
    const s = setup();
    const out = ttyOutput(s.options);
    out.start(NOW);
    s.board.apply(newer);
    out.changed(newer, 'stream', NOW);
    out.tick(NOW + 1000, { changes: 1, skipped: 2, reconnects: 1 });
    const screens = s.text().split(CLEAR_SCREEN).slice(1);
    expect(screens).toHaveLength(2);
    expect(screens[1]).toMatch(/^default {5}hello-00001 {17}5 {6}3 {2}serve/m);
    expect(screens[1]).toMatch(/watching the decisions stream: 1 change seen, 2 malformed entries skipped, 1 reconnect to Redis\n$/);
  });

  it('not a terminal: the table once, then one line per change and per counter change, no escape codes', () => {
    const s = setup();
    const out = plainOutput(s.options);
    out.start(NOW);
    out.changed(newer, 'stream', NOW);
    out.tick(NOW, counters);
    out.tick(NOW, { ...counters, skipped: 1 });
    out.tick(NOW, { ...counters, skipped: 1, reconnects: 3 });
    const lines = s.text().trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      '2025-01-02T03:04:05.000Z default/hello-00001 desired=5 ready=3 mode=serve ebc=89 activators=2 pod-capacity=100 age=0s',
      '2025-01-02T03:04:05.000Z skipped 1 malformed entry on the decisions stream (1 in all)',
      '2025-01-02T03:04:05.000Z lost Redis; reconnecting (attempt 3)',
    ]);
    expect(s.text()).not.toContain('\x1b');
  });

  it('--json: a snapshot line, then a line per change and per counter event', () => {
    const s = setup();
    const out = jsonOutput(s.options);
    out.start(NOW);
    out.changed(newer, 'snapshot', NOW);
    out.tick(NOW, { ...counters, skipped: 2 });
    const lines = s.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['type'])).toEqual(['snapshot', 'decision', 'malformed']);
    expect(lines[0]).toMatchObject({ revisions: 2, malformed: 1 });
    expect(lines[1]).toMatchObject({ source: 'snapshot', row: { revision: 'hello-00001', desired: 5 } });
    expect(lines[2]).toMatchObject({ skipped: 2, total: 2 });
  });
});

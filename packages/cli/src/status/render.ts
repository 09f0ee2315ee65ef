// `kpa status` output: the table, the JSON document, and the one-line forms `--watch` prints. Pure.
import type { DecisionRecord } from '@kpa-ts/bus';
import type { DecisionRow, MalformedRow, StatusRow } from './rows.js';

/** What is being shown: the hash key (prefix included) and the Redis it came from, for the footer. */
export interface StatusSource {
  key: string;
  /** the --redis URL with any password masked */
  redis: string;
  namespace: string | undefined;
}

/** `4s`, `2m05s`, `1h02m`, `3d04h`; negative (a decision from the future: clock skew) with a `-`. */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/** The --redis URL for display: a password is never printed. */
export function maskRedisUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/** 0 means unlimited for the activator's throttle (containerConcurrency 0). */
const capacity = (n: number): string => (n === 0 ? 'unlimited' : String(n));

interface Column {
  header: string;
  align: 'left' | 'right';
  cell: (d: DecisionRecord, nowMs: number) => string;
}

const COLUMNS: Column[] = [
  { header: 'NAMESPACE', align: 'left', cell: (d) => d.ns },
  { header: 'REVISION', align: 'left', cell: (d) => d.rev },
  { header: 'DESIRED', align: 'right', cell: (d) => String(d.desired) },
  { header: 'READY', align: 'right', cell: (d) => String(d.ready) },
  { header: 'MODE', align: 'left', cell: (d) => d.mode },
  { header: 'EBC', align: 'right', cell: (d) => String(d.ebc) },
  { header: 'ACTIVATORS', align: 'right', cell: (d) => String(d.numActivators) },
  { header: 'POD CAPACITY', align: 'right', cell: (d) => capacity(d.podCapacity) },
  { header: 'AGE', align: 'right', cell: (d, nowMs) => formatAge(nowMs - d.ts) },
];

function malformedCells(row: MalformedRow): string[] {
  return [row.namespace, row.revision, ...COLUMNS.slice(2).map(() => '-'), `malformed: ${row.reason} (${row.detail})`];
}

function cellsOf(row: StatusRow, nowMs: number): string[] {
  return row.kind === 'decision' ? COLUMNS.map((c) => c.cell(row.decision, nowMs)) : malformedCells(row);
}

function tableLines(rows: readonly StatusRow[], nowMs: number): string[] {
  const body = rows.map((r) => cellsOf(r, nowMs));
  const widths = COLUMNS.map((c, i) => Math.max(c.header.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const col = COLUMNS[i];
        if (!col) return cell; // the malformed note, past the last column
        return col.align === 'left' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((c) => c.header)), ...body.map(line)];
}

export interface RowCounts {
  revisions: number;
  malformed: number;
}

export function countRows(rows: readonly StatusRow[]): RowCounts {
  const malformed = rows.filter((r) => r.kind === 'malformed').length;
  return { revisions: rows.length - malformed, malformed };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** `3 revisions, 1 malformed entry in kpa:decisions:latest at redis://127.0.0.1:6379 (namespace x)` */
export function footerLine(rows: readonly StatusRow[], source: StatusSource): string {
  const c = countRows(rows);
  const where = `in ${source.key} at ${source.redis}${source.namespace === undefined ? '' : ` (namespace ${source.namespace})`}`;
  return `${plural(c.revisions, 'revision', 'revisions')}, ${plural(c.malformed, 'malformed entry', 'malformed entries')} ${where}`;
}

/** The table with its footer; just the footer when there is nothing to show. */
export function renderStatusTable(rows: readonly StatusRow[], nowMs: number, source: StatusSource): string {
  const lines = rows.length === 0 ? [] : [...tableLines(rows, nowMs), ''];
  return `${[...lines, footerLine(rows, source)].join('\n')}\n`;
}

/** A decision row as JSON: the decision's fields under their displayed names, its time and age. */
function decisionJson(row: DecisionRow, nowMs: number): Record<string, unknown> {
  const d = row.decision;
  return {
    status: 'ok',
    namespace: d.ns,
    revision: d.rev,
    desired: d.desired,
    ready: d.ready,
    mode: d.mode,
    excessBurstCapacity: d.ebc,
    numActivators: d.numActivators,
    podCapacity: d.podCapacity,
    decidedAtMs: d.ts,
    ageMs: nowMs - d.ts,
  };
}

function malformedJson(row: MalformedRow): Record<string, unknown> {
  return { status: 'malformed', namespace: row.namespace, revision: row.revision, field: row.field, reason: row.reason, detail: row.detail };
}

export function rowJson(row: StatusRow, nowMs: number): Record<string, unknown> {
  return row.kind === 'decision' ? decisionJson(row, nowMs) : malformedJson(row);
}

/** `{ key, redis, namespace, nowMs, revisions, malformed, rows }`, the `--json` document. */
export function statusDocument(rows: readonly StatusRow[], nowMs: number, source: StatusSource): Record<string, unknown> {
  return {
    key: source.key,
    redis: source.redis,
    namespace: source.namespace ?? null,
    nowMs,
    ...countRows(rows),
    rows: rows.map((r) => rowJson(r, nowMs)),
  };
}

export function renderStatusJson(rows: readonly StatusRow[], nowMs: number, source: StatusSource): string {
  return `${JSON.stringify(statusDocument(rows, nowMs, source), null, 2)}\n`;
}

/** One line per decision for `--watch` when stdout is not a terminal (grep-able key=value). */
export function decisionLine(d: DecisionRecord, nowMs: number): string {
  return `${new Date(nowMs).toISOString()} ${d.ns}/${d.rev} desired=${d.desired} ready=${d.ready} mode=${d.mode} ` +
    `ebc=${d.ebc} activators=${d.numActivators} pod-capacity=${capacity(d.podCapacity)} age=${formatAge(nowMs - d.ts)}\n`;
}

// How `kpa status --watch` prints: a redrawn screen on a terminal, plain lines otherwise, JSON lines
// with --json. Each is told about the start, every change and every second; none does I/O but `write`.
import type { DecisionContext, DecisionRecord } from '@kpa-ts/bus';
import type { StatusBoard } from './board.js';
import { decisionLine, renderStatusTable, rowJson, statusDocument, type StatusSource } from './render.js';
import { decisionRow } from './rows.js';

/** What the bus's watcher counted since the watch began. */
export interface WatchCounters {
  /** decisions that changed a row */
  changes: number;
  /** entries the watcher skipped as malformed (stream entries, or hash fields at a reconnection) */
  skipped: number;
  /** the watcher's reconnection attempts */
  reconnects: number;
}

export interface WatchOutput {
  start(nowMs: number): void;
  changed(decision: DecisionRecord, source: DecisionContext['source'], nowMs: number): void;
  /** every second, and right after changes on a terminal */
  tick(nowMs: number, counters: WatchCounters): void;
}

export interface WatchOutputOptions {
  board: StatusBoard;
  source: StatusSource;
  write(text: string): void;
}

/** Home, clear the screen: the whole view is redrawn each time (no partial updates to get wrong). */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

const entries = (n: number): string => `${n} malformed ${n === 1 ? 'entry' : 'entries'}`;

function countersLine(c: WatchCounters): string {
  const parts = [`${c.changes} change${c.changes === 1 ? '' : 's'} seen`];
  if (c.skipped > 0) parts.push(`${entries(c.skipped)} skipped`);
  if (c.reconnects > 0) parts.push(`${c.reconnects} reconnect${c.reconnects === 1 ? '' : 's'} to Redis`);
  return `watching the decisions stream: ${parts.join(', ')}`;
}

/** A terminal: the whole table redrawn on every tick (ages move) and on changes. */
export function ttyOutput(o: WatchOutputOptions): WatchOutput {
  let last: WatchCounters = { changes: 0, skipped: 0, reconnects: 0 };
  const draw = (nowMs: number): void => {
    const header = `kpa status --watch   ${new Date(nowMs).toISOString()}   (Ctrl-C to quit)\n\n`;
    o.write(`${CLEAR_SCREEN}${header}${renderStatusTable(o.board.rows(), nowMs, o.source)}${countersLine(last)}\n`);
  };
  return {
    start: draw,
    changed: () => undefined, // the caller ticks right after a change; drawing here would draw twice
    tick(nowMs, counters) {
      last = counters;
      draw(nowMs);
    },
  };
}

/** Not a terminal (a pipe, a log file): the table once, then one line per change, never a redraw. */
export function plainOutput(o: WatchOutputOptions): WatchOutput {
  let last: WatchCounters = { changes: 0, skipped: 0, reconnects: 0 };
  return {
    start(nowMs) {
      o.write(renderStatusTable(o.board.rows(), nowMs, o.source));
    },
    changed(decision, _source, nowMs) {
      o.write(decisionLine(decision, nowMs));
    },
    tick(nowMs, counters) {
      const at = new Date(nowMs).toISOString();
      if (counters.skipped > last.skipped) o.write(`${at} skipped ${entries(counters.skipped - last.skipped)} on the decisions stream (${counters.skipped} in all)\n`);
      if (counters.reconnects > last.reconnects) o.write(`${at} lost Redis; reconnecting (attempt ${counters.reconnects})\n`);
      last = counters;
    },
  };
}

/** --json: the snapshot as one line, then one line per change or counter event (NDJSON). */
export function jsonOutput(o: WatchOutputOptions): WatchOutput {
  let last: WatchCounters = { changes: 0, skipped: 0, reconnects: 0 };
  const line = (value: unknown): void => o.write(`${JSON.stringify(value)}\n`);
  return {
    start(nowMs) {
      line({ type: 'snapshot', ...statusDocument(o.board.rows(), nowMs, o.source) });
    },
    changed(decision, source, nowMs) {
      line({ type: 'decision', source, nowMs, row: rowJson(decisionRow(decision), nowMs) });
    },
    tick(nowMs, counters) {
      if (counters.skipped > last.skipped) line({ type: 'malformed', nowMs, skipped: counters.skipped - last.skipped, total: counters.skipped });
      if (counters.reconnects > last.reconnects) line({ type: 'reconnecting', nowMs, attempts: counters.reconnects });
      last = counters;
    },
  };
}

// A load trace: CSV with a header `seconds,concurrency` or `seconds,rps`, then one row per change:
// the load from that second on (a step function). `#` starts a comment; blank lines are skipped.
import { z } from 'zod';
import { CliError } from './errors.js';

export type TraceMetric = 'concurrency' | 'rps';

export interface TracePoint {
  /** From this second on ... */
  atS: number;
  /** ... the load is this (concurrent requests, or requests per second). */
  load: number;
}

export interface Trace {
  metric: TraceMetric;
  /** Strictly increasing `atS`; the load before the first point is 0. */
  points: TracePoint[];
}

/** One problem, located for a person: 1-based line, 1-based CSV column. */
export interface TraceIssue {
  line: number;
  column: number;
  message: string;
}

export class TraceError extends CliError {
  readonly issues: TraceIssue[];

  constructor(source: string, issues: TraceIssue[]) {
    const lines = issues.map((i) => `  ${source}:${i.line}:${i.column}: ${i.message}`);
    super('E_TRACE', `invalid trace ${source}:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

const NUMBER = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const headerSchema = z.tuple([z.literal('seconds'), z.enum(['concurrency', 'rps'])]);
const cell = (what: string) =>
  z
    .string()
    .regex(NUMBER, { error: (iss) => `${what} must be a number >= 0, got "${String(iss.input)}"` })
    .transform(Number)
    .pipe(z.number({ error: `${what} must be finite` }));
const rowSchema = z.tuple([cell('seconds'), cell('load')], {
  error: (iss) => (iss.code === 'too_big' || iss.code === 'too_small' ? 'expected 2 columns: seconds,load' : undefined),
});

interface RawLine {
  line: number;
  cells: string[];
}

function contentLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const body = raw.replace(/#.*$/, '').trim();
    if (body !== '') out.push({ line: i + 1, cells: body.split(',').map((c) => c.trim()) });
  });
  return out;
}

function parseHeader(first: RawLine | undefined, issues: TraceIssue[]): TraceMetric | undefined {
  if (!first) {
    issues.push({ line: 1, column: 1, message: 'empty trace: expected a header `seconds,concurrency` or `seconds,rps`' });
    return undefined;
  }
  const parsed = headerSchema.safeParse(first.cells.map((c) => c.toLowerCase()));
  if (parsed.success) return parsed.data[1];
  const column = first.cells[0]?.toLowerCase() === 'seconds' ? 2 : 1;
  issues.push({ line: first.line, column, message: `expected the header \`seconds,concurrency\` or \`seconds,rps\`, got "${first.cells.join(',')}"` });
  return undefined;
}

function parseRow(raw: RawLine, prevAtS: number | undefined, issues: TraceIssue[]): TracePoint | undefined {
  const parsed = rowSchema.safeParse(raw.cells);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const col = typeof issue.path[0] === 'number' ? issue.path[0] + 1 : Math.min(raw.cells.length, 3);
      issues.push({ line: raw.line, column: col, message: issue.message });
    }
    return undefined;
  }
  const [atS, load] = parsed.data;
  if (prevAtS !== undefined && atS <= prevAtS) {
    issues.push({ line: raw.line, column: 1, message: `seconds must increase: ${atS} after ${prevAtS}` });
    return undefined;
  }
  return { atS, load };
}

/** Parses and validates a whole trace; throws a TraceError listing every problem by line and column. */
export function parseTrace(text: string, source = 'trace'): Trace {
  const issues: TraceIssue[] = [];
  const [header, ...rows] = contentLines(text);
  const metric = parseHeader(header, issues);
  const points: TracePoint[] = [];
  for (const raw of rows) {
    const point = parseRow(raw, points.at(-1)?.atS, issues);
    if (point) points.push(point);
  }
  if (header && rows.length === 0) issues.push({ line: header.line, column: 1, message: 'no data rows after the header' });
  if (issues.length > 0 || metric === undefined) throw new TraceError(source, issues);
  return { metric, points };
}

/** The load at each whole second 0..durationS (step function; 0 before the first point). */
export function loadPerSecond(trace: Trace, durationS: number): number[] {
  const out: number[] = [];
  let next = 0;
  let load = 0;
  for (let t = 0; t <= durationS; t += 1) {
    while (next < trace.points.length && (trace.points[next]?.atS ?? Infinity) <= t) {
      load = trace.points[next]?.load ?? load;
      next += 1;
    }
    out.push(load);
  }
  return out;
}

/** The last second at which the load changes. */
export function traceEndS(trace: Trace): number {
  return trace.points.at(-1)?.atS ?? 0;
}

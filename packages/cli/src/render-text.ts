// The timeline and summary as a terminal table, CSV or JSON.
import { formatDurationMs } from './duration.js';
import type { SimulationResult, Summary, TickRow } from './result.js';

interface Column {
  header: string;
  cell: (r: TickRow) => string;
}

const num = (x: number, digits = 1): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
const avg = (x: number | null): string => (x === null ? '-' : num(x, 2));

const COLUMNS: Column[] = [
  { header: 't(s)', cell: (r) => `${r.tS}${r.poke ? '*' : ''}` },
  { header: 'load', cell: (r) => num(r.load) },
  { header: 'ready', cell: (r) => String(r.ready) },
  { header: 'starting', cell: (r) => String(r.starting) },
  { header: 'desired', cell: (r) => String(r.replicas) },
  { header: 'decider', cell: (r) => String(r.want) },
  { header: 'panic', cell: (r) => (r.panic ? 'yes' : 'no') },
  { header: 'ebc', cell: (r) => String(r.excessBurstCapacity) },
  { header: 'mode', cell: (r) => r.mode },
  { header: 'stable avg', cell: (r) => avg(r.stableAvg) },
  { header: 'panic avg', cell: (r) => avg(r.panicAvg) },
];

function tableLines(rows: TickRow[]): string[] {
  const cells = rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(COLUMNS.map((c) => c.header)), ...cells.map(line)];
}

const orDash = (x: number | null, unit = 's'): string => (x === null ? '-' : `${x}${unit}`);

export function summaryLines(s: Summary): string[] {
  return [
    `max pods:              ${s.maxReadyPods} ready (replicas up to ${s.maxReplicas})`,
    `first load at:         ${orDash(s.firstLoadS)}`,
    `time to first ready:   ${orDash(s.timeToFirstReadyPodS)}`,
    `load ended at:         ${orDash(s.loadEndS)}`,
    `time back to zero:     ${s.loadEndS !== null && s.timeBackToZeroS === null ? 'not within the run' : orDash(s.timeBackToZeroS)}`,
    `seconds in panic:      ${s.panicSeconds}s (${s.panicEpisodes} episode${s.panicEpisodes === 1 ? '' : 's'})`,
    `max waiting in activator: ${num(s.maxWaiting)} requests`,
  ];
}

function settingsLine(r: SimulationResult): string {
  const s = r.settings;
  const max = s.maxScale === 0 ? 'unlimited' : String(s.maxScale);
  return `metric ${s.scalingMetric}, target ${num(s.targetValue, 2)}/pod (capacity ${num(s.totalValue, 2)}), cc ${s.containerConcurrency}, ` +
    `min ${s.minScale}, max ${max}, tbc ${s.targetBurstCapacity}, stable window ${formatDurationMs(s.stableWindowMs)}, ` +
    `panic window ${formatDurationMs(s.panicWindowMs)}, grace ${formatDurationMs(s.scaleToZeroGracePeriodMs)}, ` +
    `pod start ${formatDurationMs(s.podStartDelayMs)}, tick ${formatDurationMs(s.tickMs)}, duration ${formatDurationMs(s.durationMs)}`;
}

export function renderTable(result: SimulationResult, opts: { quiet: boolean }): string {
  const parts = [settingsLine(result), ''];
  if (!opts.quiet) parts.push(...tableLines(result.ticks), '(* = extra tick: load reached the revision at zero, a poke)', '');
  parts.push(...summaryLines(result.summary));
  return `${parts.join('\n')}\n`;
}

const CSV_FIELDS: Array<keyof TickRow> = ['tS', 'load', 'concurrency', 'ready', 'starting', 'terminating', 'replicas', 'want', 'panic', 'excessBurstCapacity', 'mode', 'numActivators', 'stableAvg', 'panicAvg', 'poke'];

export function renderCsv(result: SimulationResult, opts: { quiet: boolean }): string {
  if (opts.quiet) {
    return `${Object.entries(result.summary).map(([k, v]) => `${k},${v ?? ''}`).join('\n')}\n`;
  }
  const rows = result.ticks.map((r) => CSV_FIELDS.map((f) => String(r[f] ?? '')).join(','));
  return `${[CSV_FIELDS.join(','), ...rows].join('\n')}\n`;
}

export function renderJson(result: SimulationResult, opts: { quiet: boolean }): string {
  const { settings, ticks, summary } = result;
  return `${JSON.stringify(opts.quiet ? { settings, summary } : { settings, summary, ticks }, null, 2)}\n`;
}

// siege's end-of-run report, from the load totals (pure).
import type { LoadTotals } from './load.js';
import type { DemoJson, DemoRun } from './report-types.js';

/** The q-quantile (0..1) of `values` (nearest rank); undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Percent of transactions that succeeded, 2 decimals (100 when there were none). */
export function availability(t: Pick<LoadTotals, 'ok' | 'failed'>): number {
  const all = t.ok + t.failed;
  return all === 0 ? 100 : Math.floor((t.ok / all) * 10_000) / 100;
}

/** `Label:   value unit`, numbers right-aligned in one column as siege prints them. */
function row(label: string, value: string, unit = ''): string {
  return `${`${label}:`.padEnd(24)}${value.padStart(12)}${unit ? ` ${unit}` : ''}`;
}

/** The siege-like block: Transactions, Availability, Elapsed time, ... Longest/Shortest transaction. */
export function siegeSummary(t: LoadTotals): string {
  const elapsedS = t.elapsedMs / 1000;
  const sumS = t.latenciesMs.reduce((a, b) => a + b, 0) / 1000;
  const mb = t.bytes / 1e6;
  const longest = t.latenciesMs.reduce((a, b) => Math.max(a, b), 0) / 1000;
  const shortest = t.latenciesMs.length === 0 ? 0 : t.latenciesMs.reduce((a, b) => Math.min(a, b), Infinity) / 1000;
  const rate = elapsedS > 0 ? t.ok / elapsedS : 0;
  return [
    row('Transactions', String(t.ok), 'hits'),
    row('Availability', availability(t).toFixed(2), '%'),
    row('Elapsed time', elapsedS.toFixed(2), 'secs'),
    row('Data transferred', mb.toFixed(2), 'MB'),
    row('Response time', (t.ok > 0 ? sumS / t.ok : 0).toFixed(2), 'secs'),
    row('Transaction rate', rate.toFixed(2), 'trans/sec'),
    row('Throughput', (elapsedS > 0 ? mb / elapsedS : 0).toFixed(2), 'MB/sec'),
    row('Concurrency', (elapsedS > 0 ? sumS / elapsedS : 0).toFixed(2)),
    row('Successful transactions', String(t.ok)),
    row('Failed transactions', String(t.failed)),
    row('Longest transaction', longest.toFixed(2)),
    row('Shortest transaction', shortest.toFixed(2)),
  ].join('\n');
}

/** The failures by reason, one line (empty when none). */
export function failureLine(t: LoadTotals): string {
  const parts = Object.entries(t.failures).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} × ${n}`);
  return parts.length === 0 ? '' : `Failures: ${parts.join(', ')}`;
}

export function demoJson(run: DemoRun, logDir: string): DemoJson {
  const t = run.load;
  const last = run.samples.at(-1);
  const p50 = quantile(t.latenciesMs, 0.5);
  const p99 = quantile(t.latenciesMs, 0.99);
  return {
    requests: t.ok + t.failed,
    failures: t.failed,
    availability: availability(t),
    maxPods: run.samples.reduce((m, s) => Math.max(m, s.ready), 0),
    finalPods: last?.pods ?? 0,
    firstResponseMs: t.firstResponseMs ?? null,
    backAtZero: run.backAtZero,
    backAtZeroMs: run.backAtZeroMs ?? null,
    elapsedMs: t.elapsedMs,
    p50Ms: p50 ?? null,
    p99Ms: p99 ?? null,
    logDir,
  };
}

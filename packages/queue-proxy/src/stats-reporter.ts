import type { StatRecord, StatsSink } from '@kpa-ts/bus';
import type { Clock } from './clock.js';
import type { RequestStats, RequestStatsReport } from './request-stats.js';

export interface StatsIdentity {
  ns: string;
  rev: string;
  pod: string;
}

export interface StatsReporterOptions {
  stats: RequestStats;
  sink: StatsSink;
  clock: Clock;
  identity: StatsIdentity;
  /** `clock.monotonicMs()` when the process started: `uptime` counts from here. */
  startedAtMs: number;
  /** Knative reports once a second. */
  intervalMs?: number;
  /** Reports are due this long before each multiple of intervalMs on the wall clock (default min(20, intervalMs / 10)). */
  reportLeadMs?: number;
  /** Called with every report (metrics gauges). */
  onReport?: (report: RequestStatsReport, stat: StatRecord) => void;
}

export interface StatsReporter {
  /** Closes the current period now and publishes it; returns what was published. */
  tick(): StatRecord;
  /** Ticks `reportLeadMs` before every multiple of `intervalMs` on the wall clock (timer unref'd: it never keeps the process alive). */
  start(): void;
  stop(): void;
}

/** Rounds to 6 significant decimals: the stream carries text, no need for 17 digits. */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function toStatRecord(report: RequestStatsReport, identity: StatsIdentity, epochMs: number, uptimeMs: number): StatRecord {
  return {
    ns: identity.ns,
    rev: identity.rev,
    pod: identity.pod,
    ts: Math.round(epochMs),
    conc: Math.max(0, round6(report.averageConcurrency)),
    pconc: Math.max(0, round6(report.averageProxiedConcurrency)),
    reqs: report.requestCount,
    preqs: report.proxiedRequestCount,
    uptime: Math.max(0, round6(uptimeMs / 1000)),
    src: 'qp',
  };
}

/**
 * The next report time after `epochNowMs`: `leadMs` before the next multiple of `intervalMs` on
 * the wall clock (1 s, 20 ms → x.980 s). The autoscaler counts a stat in second floor(ts / 1000), ts
 * being the end of its period, so a period that ends where that second ends is counted where its
 * load was — as the activator's reports are: both parts of a second then reach the autoscaler
 * together. A free-running timer (say at x.200) counts 0.8 s of a second's load in the next one.
 */
export function nextReportDueMs(epochNowMs: number, intervalMs: number, leadMs: number): number {
  return (Math.floor((epochNowMs + leadMs) / intervalMs) + 1) * intervalMs - leadMs;
}

/** Every `intervalMs`, turns the request stats of the period into one `StatRecord` for the sink. */
export function createStatsReporter(opts: StatsReporterOptions): StatsReporter {
  const intervalMs = opts.intervalMs ?? 1000;
  const leadMs = opts.reportLeadMs ?? Math.min(20, intervalMs / 10);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const publish = (epochMs: number): StatRecord => {
    const now = opts.clock.monotonicMs();
    const report = opts.stats.report(now);
    const stat = toStatRecord(report, opts.identity, epochMs, now - opts.startedAtMs);
    opts.sink.publish(stat);
    opts.onReport?.(report, stat);
    return stat;
  };
  const schedule = (): void => {
    const now = opts.clock.epochMs();
    const due = nextReportDueMs(now, intervalMs, leadMs);
    timer = setTimeout(() => {
      timer = undefined;
      if (!running) return;
      // A late timer still stamps the second it reports (else that second would miss this pod).
      publish(Math.min(opts.clock.epochMs(), Math.floor(due / 1000) * 1000 + 999));
      schedule();
    }, due - now);
    timer.unref();
  };
  return {
    tick: () => publish(opts.clock.epochMs()),
    start: () => {
      if (running) return;
      running = true;
      schedule();
    },
    stop: () => {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

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
  /** Called with every report (metrics gauges). */
  onReport?: (report: RequestStatsReport, stat: StatRecord) => void;
}

export interface StatsReporter {
  /** Closes the current period now and publishes it; returns what was published. */
  tick(): StatRecord;
  /** Ticks every `intervalMs` (timer unref'd: it never keeps the process alive). */
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

/** Every `intervalMs`, turns the request stats of the period into one `StatRecord` for the sink. */
export function createStatsReporter(opts: StatsReporterOptions): StatsReporter {
  const intervalMs = opts.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): StatRecord => {
    const now = opts.clock.monotonicMs();
    const report = opts.stats.report(now);
    const stat = toStatRecord(report, opts.identity, opts.clock.epochMs(), now - opts.startedAtMs);
    opts.sink.publish(stat);
    opts.onReport?.(report, stat);
    return stat;
  };
  return {
    tick,
    start: () => {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

// How the offered load of one second turns into the stats the pods and the activator report.
import type { PodStat } from '@kpa-ts/scaling';
import type { TraceMetric } from './trace.js';

/** The revision's offered load in one second, in both units (Little's law: concurrency = rps × latency). */
export interface OfferedLoad {
  concurrency: number;
  rps: number;
}

export function offeredLoad(value: number, metric: TraceMetric, latencyMs: number): OfferedLoad {
  const latencyS = latencyMs / 1000;
  return metric === 'concurrency' ? { concurrency: value, rps: value / latencyS } : { concurrency: value * latencyS, rps: value };
}

export type Mode = 'proxy' | 'serve';

export interface ReportingPod {
  name: string;
  readyAtMs: number;
}

export interface SecondStats {
  stats: PodStat[];
  /** Requests the pods could not take (containerConcurrency full, or no ready pod): they wait in the activator. */
  waitingConcurrency: number;
  /** What the activator reported this second (0 when it sent no stat). */
  activatorConcurrency: number;
}

export const ACTIVATOR_POD = 'activator-0';

/**
 * One second of stats. Every ready pod takes an even share of the load, at most containerConcurrency
 * (0 = unlimited); the rest waits in the activator. In Proxy mode every request passes through the
 * activator, which reports all of them, and the pods report theirs as proxied (so the revision's total
 * is counted once, kpa.md a.4); in Serve mode the pods report their share directly and the activator
 * reports only the requests waiting in it. With no ready pod the whole load waits in the activator.
 */
export function secondStats(load: OfferedLoad, pods: ReportingPod[], opts: { containerConcurrency: number; mode: Mode; tsMs: number }): SecondStats {
  const { containerConcurrency: cc, mode, tsMs } = opts;
  const share = pods.length > 0 ? load.concurrency / pods.length : 0;
  const perPod = cc > 0 ? Math.min(share, cc) : share;
  const rpsPerConc = load.concurrency > 0 ? load.rps / load.concurrency : 0;
  const proxied = mode === 'proxy';
  const stats: PodStat[] = pods.map((p) => ({
    pod: p.name,
    src: 'qp',
    tsMs,
    concurrency: perPod,
    proxiedConcurrency: proxied ? perPod : 0,
    requests: perPod * rpsPerConc,
    proxiedRequests: proxied ? perPod * rpsPerConc : 0,
    uptimeS: Math.max(0, (tsMs - p.readyAtMs) / 1000),
  }));
  const waiting = Math.max(0, load.concurrency - perPod * pods.length);
  const activatorConcurrency = proxied || pods.length === 0 ? load.concurrency : waiting;
  if (activatorConcurrency > 0) {
    stats.push({
      pod: ACTIVATOR_POD,
      src: 'act',
      tsMs,
      concurrency: activatorConcurrency,
      proxiedConcurrency: 0,
      requests: activatorConcurrency * rpsPerConc,
      proxiedRequests: 0,
    });
  }
  return { stats, waitingConcurrency: waiting, activatorConcurrency };
}

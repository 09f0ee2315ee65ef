import type { StatRecord } from '@kpa-ts/bus';
import type { PodStat } from '@kpa-ts/scaling';

/** A bus StatRecord as the scaling core's PodStat (field names and units of the core). */
export function toPodStat(stat: StatRecord): PodStat {
  return {
    pod: stat.pod,
    src: stat.src,
    tsMs: stat.ts,
    concurrency: stat.conc,
    proxiedConcurrency: stat.pconc,
    requests: stat.reqs,
    proxiedRequests: stat.preqs,
    uptimeS: stat.uptime,
  };
}

/**
 * The stat a poke stands for: one request waiting in an activator (Knative's activator pushes
 * concurrency 1 / one request for the first request of a revision), recorded at the autoscaler's
 * own time so the clock of the poking activator does not matter.
 */
export function pokeStat(activator: string, nowMs: number): PodStat {
  return { pod: activator, src: 'act', tsMs: nowMs, concurrency: 1, proxiedConcurrency: 0, requests: 1, proxiedRequests: 0 };
}

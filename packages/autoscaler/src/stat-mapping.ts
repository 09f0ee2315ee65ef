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

/** How far a poke's own timestamp may be from the autoscaler's clock and still be used as is. */
export const POKE_CLOCK_TOLERANCE_MS = 1000;

/**
 * When a poke's waiting request counts (RevisionMetrics.recordPoke): at the poke's own timestamp —
 * the poking activator's clock, which also stamps its first-request push and its reports, so the
 * poke lands in their second and is paid back by the next of them — pulled to within
 * POKE_CLOCK_TOLERANCE_MS of the autoscaler's clock, so a poke from a skewed or stale clock still
 * counts now. E.g. now 10 500: ts 9 970 → 9 970; ts 2 000 → 9 500; ts NaN → 10 500.
 */
export function pokeTimeMs(pokeTs: number, nowMs: number): number {
  if (!Number.isFinite(pokeTs)) return nowMs;
  return Math.min(Math.max(pokeTs, nowMs - POKE_CLOCK_TOLERANCE_MS), nowMs + POKE_CLOCK_TOLERANCE_MS);
}

// `pnpm bench scaling`: one autoscaler tick (every 2 s) over 10 000 revisions, through the real
// scaling code: record 2 s of 1 s stats for 3 pods + 1 activator per revision, read the windowed
// averages, run the decider and the reconcile step. Baselines in the same run: an empty loop over
// the revisions, and the decision alone (decider + reconcile on precomputed averages).
// Writes a Markdown section to $BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  createRevisionMetrics,
  createScaler,
  decideScale,
  initialDeciderStatus,
  initialPAState,
  type DeciderStatus,
  type PAState,
  type ReconcileSpec,
  type RevisionMetrics,
  type Scaler,
  type ScalerSpec,
  updateDeciderStatus,
  type WindowSpec,
} from '../src/index.js';

const REVISIONS = 10_000;
const PODS = 3;
const WARMUP_TICKS = 15;
const TICKS = 200;
const TICK_MS = 2000;
const GOAL_MS = 20;
const T0 = 1_700_000_000_000;

const scalerSpec: ScalerSpec = {
  metric: 'concurrency', targetValue: 70, totalValue: 100, targetBurstCapacity: 211, panicThreshold: 2,
  maxScaleUpRate: 1000, maxScaleDownRate: 2, stableWindowMs: 60_000, scaleDownDelayMs: 0, activationScale: 0,
  activatorCapacity: 100, reachable: true,
};
const windows: WindowSpec = { stableWindowMs: 60_000, panicWindowMs: 6_000, algorithm: 'linear' };
const reconcile: ReconcileSpec = {
  minScale: 0, maxScale: 0, initialScale: 1, enableScaleToZero: true, scaleToZeroGracePeriodMs: 30_000,
  scaleToZeroPodRetentionPeriodMs: 0, stableWindowMs: 60_000, activationTimeoutMs: 630_000, reachable: true,
  targetBurstCapacity: 211,
};
const spec = { scaler: scalerSpec, reconcile };

const ACTIVATOR = 'activator-0';

interface Revision {
  pods: string[];
  load: number;
  metrics: RevisionMetrics;
  scaler: Scaler;
  decider: DeciderStatus;
  pa: PAState;
}

function makeRevisions(n: number): Revision[] {
  return Array.from({ length: n }, (_, i) => ({
    pods: Array.from({ length: PODS }, (_, p) => `rev-${i}-deployment-7f9c-${p}`),
    load: 10 + (i % 200),
    metrics: createRevisionMetrics(windows),
    scaler: createScaler(scalerSpec, { nowMs: T0, readyPods: 1 }),
    decider: initialDeciderStatus(scalerSpec, 1),
    pa: initialPAState(T0),
  }));
}

function recordTwoSeconds(r: Revision, nowMs: number): void {
  for (let back = 2; back >= 1; back--) {
    const tsMs = nowMs - back * 1000 + 250;
    for (let p = 0; p < PODS; p++) {
      const c = (r.load / PODS) * (0.8 + 0.1 * ((tsMs / 1000 + p) % 5)); // varies per second and pod
      // A fresh object per stat, as a stream consumer parses them.
      r.metrics.record({ pod: r.pods[p]!, src: 'qp', tsMs, concurrency: c, proxiedConcurrency: c * 0.1, requests: c * 20, proxiedRequests: c * 2 });
    }
    const a = r.load * 0.1;
    r.metrics.record({ pod: ACTIVATOR, src: 'act', tsMs: tsMs + 300, concurrency: a, proxiedConcurrency: 0, requests: a * 20, proxiedRequests: 0 });
  }
}

function decide(r: Revision, nowMs: number, readyPods: number, stableAvg: number | undefined, panicAvg: number | undefined): void {
  const d = r.scaler.scale({ nowMs, readyPods, stableAvg, panicAvg });
  updateDeciderStatus(r.decider, d);
  r.pa = decideScale(spec, r.pa, {
    nowMs, decider: r.decider, readyPods, currentReplicas: readyPods, activatorInPath: true, proxySinceMs: undefined,
  }).state;
}

function fullTick(revs: Revision[], nowMs: number): void {
  for (const r of revs) {
    recordTwoSeconds(r, nowMs);
    const { stableAvg, panicAvg } = r.metrics.averages(nowMs, 'concurrency', PODS);
    decide(r, nowMs, PODS, stableAvg, panicAvg);
  }
}

function decisionOnly(revs: Revision[], nowMs: number): void {
  for (const r of revs) decide(r, nowMs, PODS, r.load, r.load);
}

let sink = 0;
function emptyLoop(revs: Revision[]): void {
  for (const r of revs) sink += r.load;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Timing {
  median: number;
  p99: number;
  /** CPU time of this process per tick (user + system), median: less sensitive to other load on the machine. */
  cpuMedian: number;
}

function timeTicks(run: (nowMs: number) => void): Timing {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP_TICKS + TICKS; i++) {
    const nowMs = T0 + (i + 1) * TICK_MS;
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    run(nowMs);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const c = process.cpuUsage(cpu0);
    if (i >= WARMUP_TICKS) {
      times.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: percentile(times, 50), p99: percentile(times, 99), cpuMedian: percentile(cpu, 50) };
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function memoryPerRevision(): number | undefined {
  if (!(globalThis as { gc?: unknown }).gc) return undefined;
  gc();
  const before = process.memoryUsage().heapUsed;
  const revs = makeRevisions(REVISIONS);
  for (let i = 0; i < 5; i++) fullTick(revs, T0 + (i + 1) * TICK_MS);
  gc();
  const after = process.memoryUsage().heapUsed;
  sink += revs.length;
  return (after - before) / REVISIONS;
}

const fmt = (x: number): string => x.toFixed(2);

function main(): void {
  // One set of revisions alive at a time, so each measurement sees the same heap.
  let revs = makeRevisions(REVISIONS);
  gc(); // settle the set-up garbage: a service creates its revisions over time
  const empty = timeTicks(() => emptyLoop(revs));
  const tick = timeTicks((nowMs) => fullTick(revs, nowMs));
  revs = makeRevisions(REVISIONS);
  gc();
  const decision = timeTicks((nowMs) => decisionOnly(revs, nowMs));
  revs = [];
  const bytes = memoryPerRevision();
  const verdict = tick.p99 < GOAL_MS ? `met (p99 ${fmt(tick.p99)} ms < ${GOAL_MS} ms)` : `MISSED (p99 ${fmt(tick.p99)} ms ≥ ${GOAL_MS} ms)`;
  const section = `## Scaling core: 2 s tick over 10 000 revisions

Command: \`pnpm bench scaling\` (packages/scaling/bench/tick.bench.ts). One autoscaler tick over
${REVISIONS.toLocaleString('en')} revisions through the real \`@kpa-ts/scaling\` code; each revision gets 2 s of
1 s stats from ${PODS} queue-proxies and 1 activator (${(PODS + 1) * 2} \`record()\` calls), then \`averages()\` (commits
the buffered seconds into the 60 s / 6 s windows), \`createScaler().scale()\`, \`updateDeciderStatus()\` and
\`decideScale()\`. ${TICKS} timed ticks after ${WARMUP_TICKS} warm-up ticks, one process, no other load from the bench.

| per tick over ${REVISIONS.toLocaleString('en')} revisions | median ms | p99 ms | CPU ms (median) |
|---|---|---|---|
| full tick: record + averages + decider + reconcile | ${fmt(tick.median)} | ${fmt(tick.p99)} | ${fmt(tick.cpuMedian)} |
| baseline: decider + reconcile on precomputed averages | ${fmt(decision.median)} | ${fmt(decision.p99)} | ${fmt(decision.cpuMedian)} |
| baseline: empty loop over the revisions | ${fmt(empty.median)} | ${fmt(empty.p99)} | ${fmt(empty.cpuMedian)} |

Wall-clock times; the CPU column (process user + system time) shows how much of a slow tick was this
process waiting for a core on a shared machine (load average at the start: ${loadAvg}).

Memory: ${bytes === undefined ? 'not measured (run with --expose-gc)' : `${(bytes / 1024).toFixed(2)} KiB per revision`} (heap delta after gc / ${REVISIONS.toLocaleString('en')}: windows, buffered seconds, pod map, scaler and PA state).
Goal < ${GOAL_MS} ms per tick: ${verdict}.
`;
  process.stdout.write(section);
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, section);
  if (sink < 0) process.stdout.write('\n');
}

const loadAvg = loadavg().map((x) => x.toFixed(2)).join(', ');
main();

// The human report at the end of `kpa demo` (pure): siege summary, ASCII chart, timeline.
import { asciiChart } from './ascii-chart.js';
import type { DemoRun } from './report-types.js';
import { failureLine, quantile, siegeSummary } from './summary.js';
import { renderTimeline } from './timeline.js';

/** ms from the burst's start to the first ready pod; undefined when no pod became ready. */
export function firstReadyMs(run: DemoRun): number | undefined {
  const e = run.events.filter((x) => x.kind === 'ready').sort((a, b) => a.atMs - b.atMs)[0];
  return e === undefined ? undefined : e.atMs - run.startMs;
}

export function renderReport(run: DemoRun, svgPath: string | undefined): string {
  const t = run.load;
  const p50 = quantile(t.latenciesMs, 0.5);
  const p99 = quantile(t.latenciesMs, 0.99);
  const maxPods = run.samples.reduce((m, s) => Math.max(m, s.ready), 0);
  const last = run.samples.at(-1);
  const failures = failureLine(t);
  const zero = run.backAtZero
    ? `back at zero ${((run.backAtZeroMs ?? 0) / 1000).toFixed(1)}s after the burst started`
    : `NOT back at zero when the demo stopped waiting (${last?.pods ?? '?'} pods, ${last?.replicas ?? '?'} replicas)`;
  return [
    '',
    '== siege ==',
    siegeSummary(t),
    ...(failures ? [failures] : []),
    `First response:         ${t.firstResponseMs === undefined ? '–' : `${(t.firstResponseMs / 1000).toFixed(2)} secs`} (cold start through the activator)`,
    `Response time p50/p99:  ${p50 ?? '–'} / ${p99 ?? '–'} ms`,
    '',
    '== pods over time ==',
    asciiChart(run.samples),
    ...(svgPath ? [`plot: ${svgPath}`] : []),
    '',
    '== timeline ==',
    renderTimeline(run.events, run.startMs),
    '',
    `Max ready pods: ${maxPods}; ${zero}.`,
    '',
  ].join('\n');
}

// The demo's pods-over-time plot through the cli's SVG renderer (the one `kpa simulate` uses): the
// run's samples in the simulator's result shape.
import { renderSvg } from '../render-svg.js';
import type { SecondSample, SimulationResult } from '../result.js';
import type { DemoOptions } from './options.js';
import type { DemoRun } from './report-types.js';

function seconds(run: DemoRun): SecondSample[] {
  return run.samples.map((s) => ({
    tS: Math.max(0, Math.round(s.tS)),
    load: s.clients,
    concurrency: s.clients,
    ready: s.ready,
    replicas: s.replicas,
    want: s.desired ?? s.replicas,
    panic: s.panicking,
    mode: s.mode ?? 'proxy',
    waiting: s.queued ?? 0,
  }));
}

/** The SVG document of a run. `firstReadyMs` (from the first request) is shown as the pod start time. */
export function demoSvg(run: DemoRun, o: DemoOptions, firstReadyMs: number): string {
  const samples = seconds(run);
  const result: SimulationResult = {
    settings: {
      traceMetric: 'concurrency',
      scalingMetric: 'concurrency',
      containerConcurrency: o.containerConcurrency,
      targetValue: o.containerConcurrency * 0.7,
      totalValue: o.containerConcurrency,
      targetBurstCapacity: o.targetBurstCapacity,
      minScale: 0,
      maxScale: o.maxScale,
      stableWindowMs: o.stableWindowMs,
      panicWindowMs: Math.max(1000, Math.round(o.stableWindowMs / 10_000) * 1000),
      scaleToZeroGracePeriodMs: o.graceMs,
      podStartDelayMs: Math.round(firstReadyMs),
      podStopDelayMs: 0,
      latencyMs: o.latencyMs,
      tickMs: 2000,
      durationMs: (samples.at(-1)?.tS ?? 0) * 1000,
    },
    ticks: [],
    seconds: samples,
    summary: { durationS: samples.length, maxReadyPods: 0, maxReplicas: 0, firstLoadS: 0, timeToFirstReadyPodS: null, loadEndS: null, timeBackToZeroS: null, panicSeconds: 0, panicEpisodes: 0, maxWaiting: 0 },
  };
  return renderSvg(result, { title: `kpa demo: ${o.concurrency} clients for ${o.durationMs / 1000}s, measured (pods as local processes)` });
}

import { describe, expect, it } from '@jest/globals';
import { buildRevisionSpec } from '../src/revision-spec.js';
import type { SimulationResult } from '../src/result.js';
import { defaultDurationMs, simulate } from '../src/simulator.js';
import { parseTrace, traceEndS } from '../src/trace.js';

interface Run {
  trace: string;
  annotations?: Record<string, string>;
  config?: Record<string, string>;
  containerConcurrency?: number;
  initialPods?: number;
  podStartDelayMs?: number;
  durationMs?: number;
}

function run(r: Run): SimulationResult {
  const trace = parseTrace(r.trace);
  const spec = buildRevisionSpec({ config: r.config ?? {}, annotations: r.annotations ?? {}, containerConcurrency: r.containerConcurrency ?? 0 });
  const podStartDelayMs = r.podStartDelayMs ?? 5000;
  return simulate({
    trace,
    spec,
    containerConcurrency: r.containerConcurrency ?? 0,
    podStartDelayMs,
    podStopDelayMs: 0,
    initialPods: r.initialPods ?? 0,
    latencyMs: 100,
    tickMs: 2000,
    durationMs: r.durationMs ?? defaultDurationMs(traceEndS(trace), spec, podStartDelayMs),
  });
}

// 0 → 300 concurrent requests at t = 11 s (between two ticks) for 60 s, containerConcurrency 100:
// target 100 × 0.7 = 70 per pod → ceil(300 / 70) = 5 pods.
const STEP = 'seconds,concurrency\n0,0\n11,300\n71,0\n';

describe('simulate: a step from 0 to 300 with containerConcurrency 100', () => {
  const result = run({ trace: STEP, containerConcurrency: 100 });
  const at = (tS: number) => result.seconds[tS];

  it('pokes the revision at zero at once, without waiting for the next tick', () => {
    const poke = result.ticks.find((t) => t.poke);
    expect(poke).toMatchObject({ tS: 11, want: 5, replicas: 5 });
    expect(at(11)).toMatchObject({ ready: 0, replicas: 5, waiting: 300 });
  });

  it('scales 0 → 5 pods, ready after the pod start delay', () => {
    expect(at(10)).toMatchObject({ ready: 0, replicas: 0 });
    expect(at(15)?.ready).toBe(0);
    expect(at(16)).toMatchObject({ ready: 5, waiting: 0 });
    expect(result.summary).toMatchObject({ maxReadyPods: 5, firstLoadS: 11, timeToFirstReadyPodS: 5 });
  });

  it('panics while no pod is ready (5 wanted against max(1, 0) ready ≥ 200 %)', () => {
    expect(at(11)?.panic).toBe(true);
    expect(result.summary.panicEpisodes).toBe(1);
  });

  it('holds the pods while the load lasts', () => {
    expect(result.seconds.slice(16, 71).every((s) => s.ready === 5)).toBe(true);
  });

  it('goes back to zero after the stable window and the scale-to-zero grace period, not before', () => {
    // The stable average reaches 0 only a whole window (60 s) after the load stops; then the PA
    // goes inactive and the last pod stays until the activator has been in the path for the grace (30 s).
    const back = result.summary.timeBackToZeroS ?? Infinity;
    expect(result.summary.loadEndS).toBe(71);
    expect(back).toBeGreaterThanOrEqual(60);
    expect(back).toBeLessThanOrEqual(60 + 30 + 4);
    expect(result.seconds.at(-1)).toMatchObject({ ready: 0, replicas: 0 });
  });

  it('is deterministic', () => {
    expect(run({ trace: STEP, containerConcurrency: 100 })).toEqual(result);
  });
});

describe('simulate: bounds and settings', () => {
  it('honours max-scale: never more than 3 pods though the decider wants 8 (seed 003)', () => {
    const r = run({ trace: 'seconds,concurrency\n0,0\n10,500\n70,0\n', containerConcurrency: 100, annotations: { 'autoscaling.knative.dev/max-scale': '3' } });
    expect(r.summary.maxReplicas).toBe(3);
    expect(r.summary.maxReadyPods).toBe(3);
    expect(Math.max(...r.ticks.map((t) => t.want))).toBe(8);
    expect(r.summary.timeBackToZeroS).not.toBeNull();
  });

  it('honours min-scale: never below 1 pod', () => {
    const r = run({ trace: STEP, containerConcurrency: 100, annotations: { 'autoscaling.knative.dev/min-scale': '1' }, initialPods: 1 });
    expect(Math.min(...r.seconds.map((s) => s.replicas))).toBe(1);
    expect(r.seconds.at(-1)?.ready).toBe(1);
    expect(r.summary.timeBackToZeroS).toBeNull();
  });

  it('keeps one pod when scale to zero is disabled', () => {
    const r = run({ trace: STEP, config: { 'enable-scale-to-zero': 'false' } });
    expect(r.seconds.at(-1)).toMatchObject({ ready: 1, replicas: 1 });
  });

  it('scales idle initial pods down to zero, at most halving per tick', () => {
    const r = run({ trace: 'seconds,concurrency\n0,0\n', initialPods: 3, durationMs: 150_000 });
    // The first tick sees 0 load on 3 ready pods: max-scale-down-rate 2 allows floor(3 / 2) = 1.
    expect(r.ticks[0]).toMatchObject({ tS: 0, want: 1, replicas: 1 });
    expect(r.seconds.at(-1)).toMatchObject({ ready: 0, replicas: 0 });
  });

  it('does not panic on a slow ramp from running pods', () => {
    // 200 → 403 over 5 minutes from 3 pods: the panic average never needs 2 × the ready pods.
    const ramp = ['seconds,concurrency', ...Array.from({ length: 30 }, (_, i) => `${i * 10},${200 + i * 7}`)].join('\n');
    const r = run({ trace: ramp, initialPods: 3, durationMs: 360_000 });
    expect(r.summary.panicSeconds).toBe(0);
    expect(r.seconds.at(-1)?.ready).toBe(Math.ceil(403 / 70));
  });

  it('panics on a ramp from a single pod as soon as the panic window needs 2 pods (200 % of 1)', () => {
    const ramp = ['seconds,concurrency', ...Array.from({ length: 30 }, (_, i) => `${i * 10},${10 + i * 5}`)].join('\n');
    const r = run({ trace: ramp, initialPods: 1, durationMs: 300_000 });
    const firstPanic = r.ticks.find((t) => t.panic);
    expect(firstPanic?.ready).toBe(1);
    expect(firstPanic?.panicAvg).toBeGreaterThan(70);
  });

  it('scales on rps when the metric is rps: 1400 rps / (200 × 0.7) = 10 pods', () => {
    const r = run({ trace: 'seconds,rps\n0,1400\n', initialPods: 1, annotations: { 'autoscaling.knative.dev/metric': 'rps' }, durationMs: 120_000 });
    expect(r.settings).toMatchObject({ traceMetric: 'rps', scalingMetric: 'rps', targetValue: 140 });
    expect(r.seconds.at(-1)?.ready).toBe(10);
  });

  it('converts rps to concurrency by Little\'s law: 1400 rps × 100 ms = 140 → 2 pods at 70', () => {
    const r = run({ trace: 'seconds,rps\n0,1400\n', initialPods: 1, durationMs: 120_000 });
    expect(r.seconds.at(-1)?.ready).toBe(2);
  });

  it('puts the activator in the path (proxy) at zero and when the burst capacity is short, serve otherwise', () => {
    const r = run({ trace: STEP, containerConcurrency: 100 });
    expect(r.seconds[0]?.mode).toBe('proxy');
    // 5 ready × 100 − 211 − 300 < 0 during the load; after it, 5 × 100 − 211 − 0 ≥ 0.
    expect(r.seconds[40]?.mode).toBe('proxy');
    expect(r.seconds.some((s) => s.tS > 71 && s.mode === 'serve')).toBe(true);
    expect(r.seconds.at(-1)?.mode).toBe('proxy');
  });
});

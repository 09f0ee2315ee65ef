// makeScalerSpec / makeRevisionSpec against kpa.md d.1 (and the windows of a.4, the bounds of d.10).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Annotations, AutoscalerConfig } from '@kpa-ts/config';
import {
  DEFAULT_AUTOSCALER_CONFIG,
  makeReconcileSpec,
  makeRevisionSpec,
  makeScalerSpec,
  makeWindowSpec,
  panicWindowMs,
  resolveInitialScale,
} from '@kpa-ts/config';

const config: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG };

describe('target values (d.1)', () => {
  interface Row {
    name: string;
    annotations: Annotations;
    cc: number;
    cfg?: Partial<AutoscalerConfig>;
    totalValue: number;
    targetValue: number;
  }
  const rows: Row[] = [
    // concurrency, no containerConcurrency: the default 100 × 70 %.
    { name: 'concurrency, cc=0: default 100 × 0.7', annotations: {}, cc: 0, totalValue: 100, targetValue: 70 },
    { name: 'concurrency, cc=10: 10 × 0.7', annotations: {}, cc: 10, totalValue: 10, targetValue: 7 },
    { name: 'concurrency, cc=0, fraction from the ConfigMap', annotations: {}, cc: 0, cfg: { containerConcurrencyTargetFraction: 0.5 }, totalValue: 100, targetValue: 50 },
    { name: 'concurrency, cc=0, default from the ConfigMap', annotations: {}, cc: 0, cfg: { containerConcurrencyTargetDefault: 20 }, totalValue: 20, targetValue: 14 },
    // the target annotation, capped by containerConcurrency for concurrency only.
    { name: 'target 50, cc=10: capped to 10', annotations: { target: 50 }, cc: 10, totalValue: 10, targetValue: 7 },
    { name: 'target 5, cc=10: below the cap', annotations: { target: 5 }, cc: 10, totalValue: 5, targetValue: 3.5 },
    { name: 'target 50, cc=0: no cap', annotations: { target: 50 }, cc: 0, totalValue: 50, targetValue: 35 },
    // rps: 200 × a fixed 0.7 (not the ConfigMap fraction), never capped by cc.
    { name: 'rps: default 200 × 0.7', annotations: { metric: 'rps' }, cc: 0, totalValue: 200, targetValue: 140 },
    { name: 'rps ignores the concurrency fraction', annotations: { metric: 'rps' }, cc: 0, cfg: { containerConcurrencyTargetFraction: 0.5 }, totalValue: 200, targetValue: 140 },
    { name: 'rps, rps default from the ConfigMap', annotations: { metric: 'rps' }, cc: 0, cfg: { rpsTargetDefault: 50 }, totalValue: 50, targetValue: 35 },
    { name: 'rps, cc=10: not capped', annotations: { metric: 'rps' }, cc: 10, totalValue: 200, targetValue: 140 },
    { name: 'rps, target 500, cc=10: not capped', annotations: { metric: 'rps', target: 500 }, cc: 10, totalValue: 500, targetValue: 350 },
    // the utilisation annotation replaces the fraction for either metric.
    { name: 'utilisation 50 %, concurrency', annotations: { targetUtilizationPercentage: 50 }, cc: 0, totalValue: 100, targetValue: 50 },
    { name: 'utilisation 50 %, rps', annotations: { metric: 'rps', targetUtilizationPercentage: 50 }, cc: 0, totalValue: 200, targetValue: 100 },
    { name: 'utilisation 100 %, cc=4', annotations: { targetUtilizationPercentage: 100 }, cc: 4, totalValue: 4, targetValue: 4 },
    // never below 0.01 per pod: 0.01 × 1 % = 0.0001 → 0.01.
    { name: 'max(0.01, …): target 0.01 at 1 %', annotations: { target: 0.01, targetUtilizationPercentage: 1 }, cc: 0, totalValue: 0.01, targetValue: 0.01 },
    { name: 'max(0.01, …): cc=1 at 1 %', annotations: { targetUtilizationPercentage: 1 }, cc: 1, totalValue: 1, targetValue: 0.01 },
    // other metrics (an HPA's cpu) are not ours: treated as concurrency.
    { name: 'a non-KPA metric falls back to concurrency', annotations: { metric: 'cpu' }, cc: 0, totalValue: 100, targetValue: 70 },
  ];
  it.each(rows)('$name', (row) => {
    const spec = makeScalerSpec({ ...config, ...row.cfg }, row.annotations, row.cc);
    expect(spec.totalValue).toBe(row.totalValue);
    expect(spec.targetValue).toBeCloseTo(row.targetValue, 12);
    expect(spec.metric).toBe(row.annotations.metric === 'rps' ? 'rps' : 'concurrency');
  });
});

describe('the rest of the ScalerSpec', () => {
  it('defaults: every field from the ConfigMap', () => {
    expect(makeScalerSpec(config, {}, 0)).toEqual({
      metric: 'concurrency',
      targetValue: 70,
      totalValue: 100,
      targetBurstCapacity: 211,
      panicThreshold: 2,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      stableWindowMs: 60_000,
      scaleDownDelayMs: 0,
      activationScale: 0,
      activatorCapacity: 100,
      reachable: true,
    });
  });

  it('annotations override TBC, panic threshold (as a ratio), window, delay, activation scale', () => {
    const annotations: Annotations = {
      targetBurstCapacity: -1,
      panicThresholdPercentage: 150,
      windowMs: 30_000,
      scaleDownDelayMs: 10_000,
      activationScale: 3,
    };
    expect(makeScalerSpec(config, annotations, 0)).toMatchObject({
      targetBurstCapacity: -1,
      panicThreshold: 1.5,
      stableWindowMs: 30_000,
      scaleDownDelayMs: 10_000,
      activationScale: 3,
    });
  });

  it('the ConfigMap panic threshold is a ratio too (200 % → 2.0, 1000 % → 10)', () => {
    expect(makeScalerSpec({ ...config, panicThresholdPercentage: 1000 }, {}, 0).panicThreshold).toBe(10);
  });

  it('rates and activator capacity come from the ConfigMap only', () => {
    const spec = makeScalerSpec({ ...config, maxScaleUpRate: 10, maxScaleDownRate: 4, activatorCapacity: 50 }, {}, 0);
    expect(spec).toMatchObject({ maxScaleUpRate: 10, maxScaleDownRate: 4, activatorCapacity: 50 });
  });

  it('reachable defaults to true and follows the option', () => {
    expect(makeScalerSpec(config, {}, 0, { reachable: false }).reachable).toBe(false);
  });
});

describe('initial scale (d.1)', () => {
  it.each([
    ['no annotation: the ConfigMap value', {}, {}, 1],
    ['annotation 5', { initialScale: 5 }, {}, 5],
    ['annotation 0, zero not allowed: the ConfigMap value', { initialScale: 0 }, {}, 1],
    ['annotation 0, zero allowed: 0', { initialScale: 0 }, { allowZeroInitialScale: true }, 0],
    ['ConfigMap 3, no annotation', {}, { initialScale: 3 }, 3],
    ['ConfigMap 0 (allowed), annotation 2', { initialScale: 2 }, { initialScale: 0, allowZeroInitialScale: true }, 2],
  ] as [string, Annotations, Partial<AutoscalerConfig>, number][])('%s', (_name, annotations, cfg, expected) => {
    expect(resolveInitialScale({ ...config, ...cfg }, annotations)).toBe(expected);
    expect(makeReconcileSpec({ ...config, ...cfg }, annotations).initialScale).toBe(expected);
  });
});

describe('windows', () => {
  interface GoPanicWindow {
    stableNs: string;
    percent: number;
    panicNs: string;
  }
  const golden = (JSON.parse(readFileSync(new URL('./golden/go-scalars.json', import.meta.url), 'utf8')) as { panicWindows: GoPanicWindow[] }).panicWindows;

  it(`panicWindowMs matches Go's Duration.Round(1s), >= 1 s, on ${golden.length} golden cases`, () => {
    const wrong = golden
      .map((c) => ({ ...c, got: panicWindowMs(Number(BigInt(c.stableNs) / 1_000_000n), c.percent) }))
      .filter((c) => c.got !== Number(BigInt(c.panicNs) / 1_000_000n));
    expect(wrong).toEqual([]);
  });

  it.each([
    [60_000, 10, 6_000], // the default
    [15_000, 10, 2_000], // 1.5 s: halves round away from zero
    [25_000, 10, 3_000], // 2.5 s → 3 s
    [6_000, 1, 1_000], // 0.06 s → at least 1 s
    [60_000, 100, 60_000],
    [10_000, 12.5, 1_000], // 1.25 s → 1 s
  ])('stable %d ms at %d %% → panic %d ms', (stable, pct, panic) => {
    expect(panicWindowMs(stable, pct)).toBe(panic);
  });

  it('defaults: 60 s / 6 s / linear', () => {
    expect(makeWindowSpec(config, {})).toEqual({ stableWindowMs: 60_000, panicWindowMs: 6_000, algorithm: 'linear' });
  });

  it('the window and panic percentage annotations, and the algorithm', () => {
    const annotations: Annotations = { windowMs: 20_000, panicWindowPercentage: 25, metricAggregationAlgorithm: 'weighted-exponential' };
    expect(makeWindowSpec(config, annotations)).toEqual({ stableWindowMs: 20_000, panicWindowMs: 5_000, algorithm: 'weighted-exponential' });
  });

  it('the ConfigMap panic-window-percentage applies without an annotation', () => {
    expect(makeWindowSpec({ ...config, panicWindowPercentage: 50 }, {}).panicWindowMs).toBe(30_000);
  });
});

describe('reconcile spec (d.10 inputs)', () => {
  it('defaults', () => {
    expect(makeReconcileSpec(config, {})).toEqual({
      minScale: 0,
      maxScale: 0,
      initialScale: 1,
      enableScaleToZero: true,
      scaleToZeroGracePeriodMs: 30_000,
      scaleToZeroPodRetentionPeriodMs: 0,
      stableWindowMs: 60_000,
      activationTimeoutMs: 630_000, // Knative's 600 s progress deadline + 30 s
      reachable: true,
      targetBurstCapacity: 211,
    });
  });

  it('annotations over the ConfigMap', () => {
    const cfg = { ...config, minScale: 1, maxScale: 10, scaleToZeroPodRetentionPeriodMs: 5_000, enableScaleToZero: false };
    const annotations: Annotations = { minScale: 2, maxScale: 8, scaleToZeroPodRetentionPeriodMs: 20_000, windowMs: 10_000, targetBurstCapacity: 0 };
    expect(makeReconcileSpec(cfg, annotations)).toMatchObject({
      minScale: 2,
      maxScale: 8,
      scaleToZeroPodRetentionPeriodMs: 20_000,
      stableWindowMs: 10_000,
      targetBurstCapacity: 0,
      enableScaleToZero: false,
    });
    expect(makeReconcileSpec(cfg, {})).toMatchObject({ minScale: 1, maxScale: 10, scaleToZeroPodRetentionPeriodMs: 5_000 });
  });

  it('an unreachable revision has min-scale 0 and no retention', () => {
    const spec = makeReconcileSpec(config, { minScale: 3, scaleToZeroPodRetentionPeriodMs: 20_000 }, { reachable: false });
    expect(spec).toMatchObject({ minScale: 0, scaleToZeroPodRetentionPeriodMs: 0, reachable: false });
  });

  it('activation timeout = progress deadline + 30 s', () => {
    expect(makeReconcileSpec(config, {}, { progressDeadlineMs: 120_000 }).activationTimeoutMs).toBe(150_000);
  });
});

describe('makeRevisionSpec', () => {
  it('is the three parts together, one window for all', () => {
    const annotations: Annotations = { windowMs: 30_000, metric: 'rps', minScale: 1 };
    const spec = makeRevisionSpec(config, annotations, 10, { reachable: true, progressDeadlineMs: 60_000 });
    expect(spec.scaler).toEqual(makeScalerSpec(config, annotations, 10, { reachable: true }));
    expect(spec.windows).toEqual(makeWindowSpec(config, annotations));
    expect(spec.reconcile).toEqual(makeReconcileSpec(config, annotations, { reachable: true, progressDeadlineMs: 60_000 }));
    expect([spec.scaler.stableWindowMs, spec.windows.stableWindowMs, spec.reconcile.stableWindowMs]).toEqual([30_000, 30_000, 30_000]);
    expect(spec.reconcile.activationTimeoutMs).toBe(90_000);
  });

  it('unreachable flows to both the scaler and the reconcile step', () => {
    const spec = makeRevisionSpec(config, {}, 0, { reachable: false });
    expect([spec.scaler.reachable, spec.reconcile.reachable]).toEqual([false, false]);
  });
});

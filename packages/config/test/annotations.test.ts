// parseAnnotations / resolveAnnotations against kpa.md (c): every key, legacy aliases and their
// priority, every validation rule, unrelated annotations ignored, never a throw.
import { describe, expect, it } from '@jest/globals';
import type { Annotations, AutoscalerConfig } from '@kpa-ts/config';
import {
  ANNOTATION_KEYS,
  DEFAULT_AUTOSCALER_CONFIG,
  KPA_TS_CLASS,
  LEGACY_ANNOTATION_KEYS,
  issueCode,
  parseAnnotations,
  resolveAnnotations,
} from '@kpa-ts/config';

const K = ANNOTATION_KEYS;
const L = LEGACY_ANNOTATION_KEYS;
const config: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG };

function parsed(annotations: unknown, cfg: AutoscalerConfig = config): Annotations {
  const result = parseAnnotations(annotations, cfg);
  if (!result.success) throw new Error(`expected success, got ${result.error.message}`);
  return result.data;
}

/** [path[0], code] of every issue, in order. */
function issuesOf(annotations: unknown, cfg: AutoscalerConfig = config): [unknown, string][] {
  const result = parseAnnotations(annotations, cfg);
  return result.success ? [] : result.error.issues.map((i) => [i.path[0], issueCode(i)]);
}

describe('every annotation, valid values', () => {
  const cases: [string, string, Annotations][] = [
    [K.class, 'kpa.autoscaling.knative.dev', { class: 'kpa.autoscaling.knative.dev' }],
    [K.class, 'hpa.autoscaling.knative.dev', { class: 'hpa.autoscaling.knative.dev' }],
    [K.class, KPA_TS_CLASS, { class: KPA_TS_CLASS }],
    [K.class, 'custom.example.com', { class: 'custom.example.com' }],
    [K.metric, 'concurrency', { metric: 'concurrency' }],
    [K.metric, 'rps', { metric: 'rps' }],
    [K.target, '0.01', { target: 0.01 }],
    [K.target, '50', { target: 50 }],
    [K.targetUtilizationPercentage, '1', { targetUtilizationPercentage: 1 }],
    [K.targetUtilizationPercentage, '100', { targetUtilizationPercentage: 100 }],
    [K.targetBurstCapacity, '0', { targetBurstCapacity: 0 }],
    [K.targetBurstCapacity, '-1', { targetBurstCapacity: -1 }],
    [K.targetBurstCapacity, '500.5', { targetBurstCapacity: 500.5 }],
    [K.window, '6s', { windowMs: 6_000 }],
    [K.window, '1m30s', { windowMs: 90_000 }],
    [K.window, '1h', { windowMs: 3_600_000 }],
    [K.panicWindowPercentage, '1', { panicWindowPercentage: 1 }],
    [K.panicWindowPercentage, '100', { panicWindowPercentage: 100 }],
    [K.panicThresholdPercentage, '110', { panicThresholdPercentage: 110 }],
    [K.panicThresholdPercentage, '1000', { panicThresholdPercentage: 1000 }],
    [K.minScale, '0', { minScale: 0 }],
    [K.minScale, '2147483647', { minScale: 2_147_483_647 }],
    [K.maxScale, '0', { maxScale: 0 }],
    [K.maxScale, '10', { maxScale: 10 }],
    [K.initialScale, '1', { initialScale: 1 }],
    [K.initialScale, '20', { initialScale: 20 }],
    [K.activationScale, '2', { activationScale: 2 }],
    [K.scaleDownDelay, '0s', { scaleDownDelayMs: 0 }],
    [K.scaleDownDelay, '1m', { scaleDownDelayMs: 60_000 }],
    [K.scaleDownDelay, '1h', { scaleDownDelayMs: 3_600_000 }],
    [K.scaleToZeroPodRetentionPeriod, '0', { scaleToZeroPodRetentionPeriodMs: 0 }],
    [K.scaleToZeroPodRetentionPeriod, '1.5s', { scaleToZeroPodRetentionPeriodMs: 1_500 }],
    [K.scaleToZeroPodRetentionPeriod, '1h', { scaleToZeroPodRetentionPeriodMs: 3_600_000 }],
    [K.metricAggregationAlgorithm, 'linear', { metricAggregationAlgorithm: 'linear' }],
    [K.metricAggregationAlgorithm, 'weighted-exponential', { metricAggregationAlgorithm: 'weighted-exponential' }],
    [K.metricAggregationAlgorithm, 'weightedExponential', { metricAggregationAlgorithm: 'weighted-exponential' }],
    [K.metricAggregationAlgorithm, '', {}],
  ];
  it.each(cases)('%s: %j', (key, value, expected) => {
    expect(parsed({ [key]: value })).toEqual(expected);
  });

  it('the table covers every annotation key', () => {
    const covered = new Set(cases.map(([k]) => k));
    expect(Object.values(K).filter((k) => !covered.has(k))).toEqual([]);
  });
});

describe('legacy camelCase aliases', () => {
  const aliases: [keyof typeof L, string, Annotations][] = [
    ['targetUtilizationPercentage', '80', { targetUtilizationPercentage: 80 }],
    ['targetBurstCapacity', '-1', { targetBurstCapacity: -1 }],
    ['panicWindowPercentage', '20', { panicWindowPercentage: 20 }],
    ['panicThresholdPercentage', '300', { panicThresholdPercentage: 300 }],
    ['minScale', '1', { minScale: 1 }],
    ['maxScale', '5', { maxScale: 5 }],
    ['initialScale', '3', { initialScale: 3 }],
    ['scaleDownDelay', '30s', { scaleDownDelayMs: 30_000 }],
    ['scaleToZeroPodRetentionPeriod', '10s', { scaleToZeroPodRetentionPeriodMs: 10_000 }],
    ['metricAggregationAlgorithm', 'weightedExponential', { metricAggregationAlgorithm: 'weighted-exponential' }],
  ];
  it.each(aliases)('%s is read from its legacy key', (name, value, expected) => {
    expect(parsed({ [L[name]]: value })).toEqual(expected);
  });

  it('the kebab-case key wins when both are present', () => {
    expect(parsed({ [L.minScale]: '1', [K.minScale]: '2' })).toEqual({ minScale: 2 });
    expect(parsed({ [K.maxScale]: '7', [L.maxScale]: '3' })).toEqual({ maxScale: 7 });
  });

  it('the losing alias is not even validated (kmap.KeyPriority reads only the winner)', () => {
    expect(parsed({ [K.minScale]: '2', [L.minScale]: 'garbage' })).toEqual({ minScale: 2 });
  });

  it('an issue on an alias names the alias key', () => {
    expect(issuesOf({ [L.minScale]: '-1' })).toEqual([[L.minScale, 'out_of_range']]);
  });

  it.each(['class', 'metric', 'target', 'window', 'activationScale'] as const)('%s has no legacy alias', (name) => {
    expect(name in L).toBe(false);
  });
});

describe('every validation rule', () => {
  const cases: [string, Record<string, string>, [string, string][], AutoscalerConfig?][] = [
    ['class ending in .knative.dev must be kpa or hpa', { [K.class]: 'foo.knative.dev' }, [[K.class, 'invalid_value']]],
    ['metric for KPA: concurrency or rps', { [K.metric]: 'cpu' }, [[K.metric, 'invalid_value']]],
    ['metric for our class: concurrency or rps', { [K.class]: KPA_TS_CLASS, [K.metric]: 'memory' }, [[K.metric, 'invalid_value']]],
    ['metric for HPA: not empty', { [K.class]: 'hpa.autoscaling.knative.dev', [K.metric]: '' }, [[K.metric, 'invalid_value']]],
    ['metric for KPA: not empty', { [K.metric]: '' }, [[K.metric, 'invalid_value']]],
    ['target >= 0.01', { [K.target]: '0.009' }, [[K.target, 'out_of_range']]],
    ['target is a number', { [K.target]: 'ten' }, [[K.target, 'invalid_float']]],
    ['target is finite', { [K.target]: '+Inf' }, [[K.target, 'not_finite']]],
    ['target-utilization-percentage >= 1', { [K.targetUtilizationPercentage]: '0.5' }, [[K.targetUtilizationPercentage, 'out_of_range']]],
    ['target-utilization-percentage <= 100', { [K.targetUtilizationPercentage]: '101' }, [[K.targetUtilizationPercentage, 'out_of_range']]],
    ['target-burst-capacity >= 0 or -1', { [K.targetBurstCapacity]: '-2' }, [[K.targetBurstCapacity, 'out_of_range']]],
    ['target-burst-capacity is a number', { [K.targetBurstCapacity]: 'lots' }, [[K.targetBurstCapacity, 'invalid_float']]],
    ['window >= 6s', { [K.window]: '5s' }, [[K.window, 'out_of_range']]],
    ['window <= 1h', { [K.window]: '61m' }, [[K.window, 'out_of_range']]],
    ['window whole seconds', { [K.window]: '10.5s' }, [[K.window, 'not_whole_seconds']]],
    ['window is a duration', { [K.window]: '60' }, [[K.window, 'invalid_duration']]],
    ['panic-window-percentage >= 1', { [K.panicWindowPercentage]: '0.9' }, [[K.panicWindowPercentage, 'out_of_range']]],
    ['panic-window-percentage <= 100', { [K.panicWindowPercentage]: '100.1' }, [[K.panicWindowPercentage, 'out_of_range']]],
    ['panic-threshold-percentage >= 110', { [K.panicThresholdPercentage]: '109' }, [[K.panicThresholdPercentage, 'out_of_range']]],
    ['panic-threshold-percentage <= 1000', { [K.panicThresholdPercentage]: '1001' }, [[K.panicThresholdPercentage, 'out_of_range']]],
    ['min-scale >= 0', { [K.minScale]: '-1' }, [[K.minScale, 'out_of_range']]],
    ['min-scale is an int32', { [K.minScale]: '2147483648' }, [[K.minScale, 'out_of_range']]],
    ['min-scale is an integer', { [K.minScale]: '1.5' }, [[K.minScale, 'invalid_int']]],
    ['max-scale >= 0', { [K.maxScale]: '-3' }, [[K.maxScale, 'out_of_range']]],
    ['max-scale is an integer', { [K.maxScale]: 'ten' }, [[K.maxScale, 'invalid_int']]],
    ['max-scale >= min-scale', { [K.minScale]: '5', [K.maxScale]: '3' }, [[K.maxScale, 'max_below_min']]],
    [
      'max-scale <= max-scale-limit',
      { [K.maxScale]: '11' },
      [[K.maxScale, 'max_scale_above_limit']],
      { ...DEFAULT_AUTOSCALER_CONFIG, maxScaleLimit: 10, maxScale: 5 },
    ],
    [
      'max-scale 0 (unlimited) not allowed under a limit',
      { [K.maxScale]: '0' },
      [[K.maxScale, 'unlimited_max_scale_with_limit']],
      { ...DEFAULT_AUTOSCALER_CONFIG, maxScaleLimit: 10, maxScale: 5 },
    ],
    ['initial-scale >= 0', { [K.initialScale]: '-1' }, [[K.initialScale, 'out_of_range']]],
    ['initial-scale 0 needs allow-zero-initial-scale', { [K.initialScale]: '0' }, [[K.initialScale, 'zero_initial_scale_not_allowed']]],
    ['initial-scale is an integer', { [K.initialScale]: '1.0' }, [[K.initialScale, 'invalid_int']]],
    ['activation-scale is an integer', { [K.activationScale]: 'two' }, [[K.activationScale, 'invalid_int']]],
    ['activation-scale >= min-scale', { [K.minScale]: '3', [K.activationScale]: '2' }, [[K.activationScale, 'activation_below_min']]],
    ['activation-scale <= max-scale', { [K.maxScale]: '3', [K.activationScale]: '4' }, [[K.activationScale, 'activation_above_max']]],
    ['activation-scale >= 2', { [K.activationScale]: '1' }, [[K.activationScale, 'activation_too_small']]],
    ['scale-down-delay >= 0', { [K.scaleDownDelay]: '-1s' }, [[K.scaleDownDelay, 'out_of_range']]],
    ['scale-down-delay <= 1h', { [K.scaleDownDelay]: '1h0m1s' }, [[K.scaleDownDelay, 'out_of_range']]],
    ['scale-down-delay whole seconds', { [K.scaleDownDelay]: '1500ms' }, [[K.scaleDownDelay, 'not_whole_seconds']]],
    ['scale-to-zero-pod-retention-period >= 0', { [K.scaleToZeroPodRetentionPeriod]: '-1s' }, [[K.scaleToZeroPodRetentionPeriod, 'out_of_range']]],
    ['scale-to-zero-pod-retention-period <= 1h', { [K.scaleToZeroPodRetentionPeriod]: '2h' }, [[K.scaleToZeroPodRetentionPeriod, 'out_of_range']]],
    ['scale-to-zero-pod-retention-period is a duration', { [K.scaleToZeroPodRetentionPeriod]: '5' }, [[K.scaleToZeroPodRetentionPeriod, 'invalid_duration']]],
    ['metric-aggregation-algorithm for KPA', { [K.metricAggregationAlgorithm]: 'median' }, [[K.metricAggregationAlgorithm, 'invalid_value']]],
    ['metric-aggregation-algorithm for our class', { [K.class]: KPA_TS_CLASS, [K.metricAggregationAlgorithm]: 'Linear' }, [[K.metricAggregationAlgorithm, 'invalid_value']]],
  ];
  // Rows as objects: jest treats a test function with more parameters than the row as taking `done`.
  it.each(cases.map(([name, annotations, expected, cfg]) => ({ name, annotations, expected, cfg })))('$name', (row) => {
    expect(issuesOf(row.annotations, row.cfg)).toEqual(row.expected);
  });

  it('messages name the full key, the value and the range', () => {
    const result = parseAnnotations({ [K.panicThresholdPercentage]: '50' }, config);
    expect(!result.success && result.error.issues[0]?.message).toBe(
      'autoscaling.knative.dev/panic-threshold-percentage = 50, must be in [110, 1000]',
    );
  });

  it('activation-scale: an if/else chain, only the first failing rule is reported', () => {
    // min 3 > 1 and 1 < 2: only the min rule.
    expect(issuesOf({ [K.minScale]: '3', [K.activationScale]: '1' })).toEqual([[K.activationScale, 'activation_below_min']]);
    // max 1 < 2... but max (1) < min? No min: max 1 < activation 2 is reported, not the >= 2 rule.
    expect(issuesOf({ [K.maxScale]: '1', [K.activationScale]: '2' })).toEqual([[K.activationScale, 'activation_above_max']]);
    expect(parsed({ [K.minScale]: '2', [K.maxScale]: '5', [K.activationScale]: '5' })).toEqual({ minScale: 2, maxScale: 5, activationScale: 5 });
  });

  it('max-scale 0 means unlimited: no max >= min check', () => {
    expect(parsed({ [K.minScale]: '5', [K.maxScale]: '0' })).toEqual({ minScale: 5, maxScale: 0 });
  });

  it('initial-scale 0 is fine when the cluster allows it', () => {
    expect(parsed({ [K.initialScale]: '0' }, { ...config, allowZeroInitialScale: true })).toEqual({ initialScale: 0 });
  });

  it('an invalid .knative.dev class is reported, and its metric is left unchecked (as in Knative)', () => {
    expect(issuesOf({ [K.class]: 'x.knative.dev', [K.metric]: 'cpu' })).toEqual([[K.class, 'invalid_value']]);
  });

  it('other classes are not checked for metric or algorithm', () => {
    const annotations = { [K.class]: 'custom.example.com', [K.metric]: 'queue-length', [K.metricAggregationAlgorithm]: 'median' };
    expect(parsed(annotations)).toEqual({ class: 'custom.example.com', metric: 'queue-length' });
    expect(parsed({ [K.class]: 'hpa.autoscaling.knative.dev', [K.metric]: 'cpu' })).toEqual({ class: 'hpa.autoscaling.knative.dev', metric: 'cpu' });
  });

  it('without a class annotation, the ConfigMap class decides what is checked', () => {
    expect(issuesOf({ [K.metric]: 'cpu' }, { ...config, podAutoscalerClass: 'hpa.autoscaling.knative.dev' })).toEqual([]);
  });

  it('reports every failing annotation, in Knative ValidateAnnotations order', () => {
    const annotations = {
      [K.initialScale]: '-1',
      [K.metricAggregationAlgorithm]: 'median',
      [K.metric]: 'cpu',
      [K.scaleDownDelay]: '2h',
      [K.scaleToZeroPodRetentionPeriod]: '2h',
      [K.window]: '1s',
      [K.targetBurstCapacity]: '-5',
      [K.targetUtilizationPercentage]: '0',
      [K.target]: '0',
      [K.panicThresholdPercentage]: '1',
      [K.panicWindowPercentage]: '0',
      [K.activationScale]: 'x',
      [K.maxScale]: '-1',
      [K.minScale]: '-1',
    };
    // (An invalid class would be reported first, but then metric and algorithm go unchecked:
    // they are checked only for the KPA classes, and the class annotation decides.)
    expect(issuesOf(annotations).map(([k]) => k)).toEqual([
      K.minScale,
      K.maxScale,
      K.activationScale,
      K.panicWindowPercentage,
      K.panicThresholdPercentage,
      K.target,
      K.targetUtilizationPercentage,
      K.targetBurstCapacity,
      K.window,
      K.scaleToZeroPodRetentionPeriod,
      K.scaleDownDelay,
      K.metric,
      K.metricAggregationAlgorithm,
      K.initialScale,
    ]);
  });
});

describe('unrelated annotations and odd inputs', () => {
  it('ignores annotations that are not ours, whatever their value', () => {
    const annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}',
      'autoscaling.knative.dev/unknown-thing': 'x',
      'autoscaling.knative.dev/MinScale': 'x', // keys are case-sensitive
      'serving.knative.dev/creator': 'me',
      'kpa-ts.dev/future': 'x',
      nested: { deep: true },
      [K.minScale]: '1',
    };
    expect(parsed(annotations)).toEqual({ minScale: 1 });
  });

  it('no annotations at all (undefined / null / {}) is fine', () => {
    expect(parsed(undefined)).toEqual({});
    expect(parsed(null)).toEqual({});
    expect(parsed({})).toEqual({});
  });

  it('a known key with a non-string value is not_a_string at that key', () => {
    expect(issuesOf({ [K.minScale]: 1, [K.window]: null })).toEqual([
      [K.minScale, 'not_a_string'],
      [K.window, 'not_a_string'],
    ]);
  });

  it.each([
    ['a number', 7],
    ['a string', 'min-scale=1'],
    ['an array', [K.minScale, '1']],
    ['a Map', new Map([[K.minScale, '1']])],
  ])('%s gives success: false with path [] (not_an_object)', (_name, input) => {
    const result = parseAnnotations(input, config);
    expect(!result.success && result.error.issues.map((i) => [i.path, issueCode(i)])).toEqual([[[], 'not_an_object']]);
  });

  it('a throwing getter gives success: false (internal), not a throw', () => {
    const input = Object.defineProperty({}, K.minScale, {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    expect(issuesOf(input)).toEqual([[undefined, 'internal']]);
  });
});

describe('resolveAnnotations (use time): invalid annotations fall back to defaults', () => {
  it('keeps the valid ones and reports the rest', () => {
    const { annotations, issues } = resolveAnnotations({ [K.minScale]: '2', [K.maxScale]: '1', [K.window]: '1s', [K.target]: '10' }, config);
    expect(annotations).toEqual({ minScale: 2, target: 10 });
    expect(issues.map((i) => [i.path[0], i.params.code])).toEqual([
      [K.maxScale, 'max_below_min'],
      [K.window, 'out_of_range'],
    ]);
  });

  it('matches parseAnnotations when everything is valid', () => {
    const input = { [K.minScale]: '2', [K.window]: '30s', [K.metric]: 'rps' };
    expect(resolveAnnotations(input, config)).toEqual({ annotations: parsed(input), issues: [] });
  });

  it('a non-object gives no annotations and one issue', () => {
    expect(resolveAnnotations(42, config).annotations).toEqual({});
    expect(resolveAnnotations(42, config).issues.map((i) => i.params.code)).toEqual(['not_an_object']);
  });
});

// parseAutoscalerConfig against kpa.md (b): every key's default, valid and invalid values per key,
// Go durations, the percentage rule, Knative's cross-field rules and their order.
import { describe, expect, it } from '@jest/globals';
import vm from 'node:vm';
import type { AutoscalerConfig, ConfigKey } from '@kpa-ts/config';
import {
  CONFIG_KEYS,
  ConfigError,
  DEFAULT_AUTOSCALER_CONFIG,
  autoscalerConfigToData,
  issueCode,
  parseAutoscalerConfig,
} from '@kpa-ts/config';

function parsed(data: unknown): AutoscalerConfig {
  const result = parseAutoscalerConfig(data);
  if (!result.success) throw new Error(`expected success, got ${result.error.message}`);
  return result.data;
}

/** [path[0], code] of every issue, in order. */
function issuesOf(data: unknown): [unknown, string][] {
  const result = parseAutoscalerConfig(data);
  if (result.success) return [];
  return result.error.issues.map((i) => [i.path[0], issueCode(i)]);
}

describe('defaults (kpa.md b)', () => {
  it('an empty map, a missing map (undefined / null) all give the defaults', () => {
    expect(parsed({})).toEqual(DEFAULT_AUTOSCALER_CONFIG);
    expect(parsed(undefined)).toEqual(DEFAULT_AUTOSCALER_CONFIG);
    expect(parsed(null)).toEqual(DEFAULT_AUTOSCALER_CONFIG);
  });

  const defaults: [keyof AutoscalerConfig, unknown][] = [
    ['podAutoscalerClass', 'kpa.autoscaling.knative.dev'],
    ['enableScaleToZero', true],
    ['allowZeroInitialScale', false],
    ['initialScale', 1],
    ['minScale', 0],
    ['maxScale', 0],
    ['maxScaleLimit', 0],
    ['maxScaleUpRate', 1000],
    ['maxScaleDownRate', 2],
    ['containerConcurrencyTargetFraction', 0.7],
    ['containerConcurrencyTargetDefault', 100],
    ['targetUtilization', 0.7],
    ['rpsTargetDefault', 200],
    ['targetBurstCapacity', 211],
    ['activatorCapacity', 100],
    ['stableWindowMs', 60_000],
    ['panicWindowPercentage', 10],
    ['panicThresholdPercentage', 200],
    ['scaleToZeroGracePeriodMs', 30_000],
    ['scaleToZeroPodRetentionPeriodMs', 0],
    ['scaleDownDelayMs', 0],
  ];
  it.each(defaults)('%s defaults to %p', (field, value) => {
    expect(parsed({})[field]).toEqual(value);
  });

  it('the table above covers every field', () => {
    expect(defaults.map(([f]) => f).sort()).toEqual(Object.keys(DEFAULT_AUTOSCALER_CONFIG).sort());
  });

  it('DEFAULT_AUTOSCALER_CONFIG is frozen', () => {
    expect(Object.isFrozen(DEFAULT_AUTOSCALER_CONFIG)).toBe(true);
  });
});

describe('valid values, one key at a time', () => {
  const cases: [ConfigKey, string, keyof AutoscalerConfig, unknown][] = [
    ['pod-autoscaler-class', 'hpa.autoscaling.knative.dev', 'podAutoscalerClass', 'hpa.autoscaling.knative.dev'],
    ['pod-autoscaler-class', 'kpa.autoscaling.kpa-ts.dev', 'podAutoscalerClass', 'kpa.autoscaling.kpa-ts.dev'],
    ['enable-scale-to-zero', 'false', 'enableScaleToZero', false],
    ['enable-scale-to-zero', 'FALSE', 'enableScaleToZero', false],
    ['enable-scale-to-zero', 'fAlSe', 'enableScaleToZero', false],
    ['enable-scale-to-zero', '0', 'enableScaleToZero', false],
    ['allow-zero-initial-scale', 'TRUE', 'allowZeroInitialScale', true],
    ['allow-zero-initial-scale', 'True', 'allowZeroInitialScale', true],
    ['allow-zero-initial-scale', 't', 'allowZeroInitialScale', true],
    ['initial-scale', '3', 'initialScale', 3],
    ['initial-scale', '+3', 'initialScale', 3],
    ['min-scale', '2', 'minScale', 2],
    ['max-scale', '10', 'maxScale', 10],
    ['max-scale', '2147483647', 'maxScale', 2_147_483_647],
    ['max-scale-limit', '0', 'maxScaleLimit', 0],
    ['max-scale-up-rate', '1.1', 'maxScaleUpRate', 1.1],
    ['max-scale-up-rate', '1e3', 'maxScaleUpRate', 1000],
    ['max-scale-down-rate', '1.5', 'maxScaleDownRate', 1.5],
    ['container-concurrency-target-percentage', '80', 'containerConcurrencyTargetFraction', 0.8],
    ['container-concurrency-target-default', '10', 'containerConcurrencyTargetDefault', 10],
    ['requests-per-second-target-default', '0.01', 'rpsTargetDefault', 0.01],
    ['target-burst-capacity', '0', 'targetBurstCapacity', 0],
    ['target-burst-capacity', '-1', 'targetBurstCapacity', -1],
    ['target-burst-capacity', '1_000', 'targetBurstCapacity', 1000],
    ['activator-capacity', '1', 'activatorCapacity', 1],
    ['stable-window', '6s', 'stableWindowMs', 6_000],
    ['stable-window', '1m30s', 'stableWindowMs', 90_000],
    ['stable-window', '1h', 'stableWindowMs', 3_600_000],
    ['stable-window', '0.5h', 'stableWindowMs', 1_800_000],
    ['stable-window', '6500ms', 'stableWindowMs', undefined], // not whole seconds: see invalid
    ['panic-window-percentage', '1', 'panicWindowPercentage', 1],
    ['panic-window-percentage', '100', 'panicWindowPercentage', 100],
    ['panic-threshold-percentage', '50', 'panicThresholdPercentage', 50], // no range check in the ConfigMap
    ['panic-threshold-percentage', '5000', 'panicThresholdPercentage', 5000],
    ['scale-to-zero-grace-period', '1ns', 'scaleToZeroGracePeriodMs', 0.000001],
    ['scale-to-zero-grace-period', '1.5h', 'scaleToZeroGracePeriodMs', 5_400_000],
    ['scale-to-zero-pod-retention-period', '500ms', 'scaleToZeroPodRetentionPeriodMs', 500],
    ['scale-to-zero-pod-retention-period', '0', 'scaleToZeroPodRetentionPeriodMs', 0],
    ['scale-down-delay', '15m', 'scaleDownDelayMs', 900_000],
    ['scale-down-delay', '2h', 'scaleDownDelayMs', 7_200_000], // no upper bound in the ConfigMap
  ];
  it.each(cases.filter(([, , , v]) => v !== undefined))('%s: %j → %s = %p', (key, text, field, value) => {
    expect(parsed({ [key]: text })[field]).toEqual(value);
  });
});

describe('invalid values: rejected, path[0] names the key, the message names key, value and range', () => {
  const cases: [ConfigKey, string, string][] = [
    ['enable-scale-to-zero', 'yes', 'invalid_bool'],
    ['enable-scale-to-zero', '', 'invalid_bool'],
    ['allow-zero-initial-scale', 'on', 'invalid_bool'],
    ['initial-scale', '1.5', 'invalid_int'],
    ['initial-scale', '-1', 'out_of_range'],
    ['initial-scale', '0', 'zero_initial_scale_not_allowed'],
    ['initial-scale', '2147483648', 'out_of_range'],
    ['min-scale', '-1', 'out_of_range'],
    ['min-scale', 'one', 'invalid_int'],
    ['max-scale', '-1', 'out_of_range'],
    ['max-scale', '1e3', 'invalid_int'],
    ['max-scale-limit', '-1', 'out_of_range'],
    ['max-scale-limit', ' 1', 'invalid_int'],
    ['max-scale-up-rate', '1', 'out_of_range'],
    ['max-scale-up-rate', '0.5', 'out_of_range'],
    ['max-scale-up-rate', 'fast', 'invalid_float'],
    ['max-scale-up-rate', 'Inf', 'not_finite'],
    ['max-scale-down-rate', '1.0', 'out_of_range'],
    ['max-scale-down-rate', 'NaN', 'not_finite'],
    ['container-concurrency-target-percentage', '0', 'out_of_range'],
    ['container-concurrency-target-percentage', '-10', 'out_of_range'],
    ['container-concurrency-target-percentage', '101', 'out_of_range'],
    ['container-concurrency-target-percentage', '70%', 'invalid_float'],
    ['container-concurrency-target-default', '0.01', 'target_too_small'], // 0.01 × 0.7 < 0.01
    ['container-concurrency-target-default', '-5', 'target_too_small'],
    ['requests-per-second-target-default', '0.009', 'out_of_range'],
    ['requests-per-second-target-default', '1e400', 'invalid_float'],
    ['target-burst-capacity', '-2', 'out_of_range'],
    ['target-burst-capacity', '-0.5', 'out_of_range'],
    ['activator-capacity', '0.99', 'out_of_range'],
    ['stable-window', '5s', 'out_of_range'],
    ['stable-window', '1h0m1s', 'out_of_range'],
    ['stable-window', '6500ms', 'not_whole_seconds'],
    ['stable-window', '60', 'invalid_duration'],
    ['stable-window', '1 m', 'invalid_duration'],
    ['panic-window-percentage', '0.5', 'out_of_range'],
    ['panic-window-percentage', '101', 'out_of_range'],
    ['panic-threshold-percentage', 'high', 'invalid_float'],
    ['scale-to-zero-grace-period', '0s', 'out_of_range'],
    ['scale-to-zero-grace-period', '-1s', 'out_of_range'],
    ['scale-to-zero-grace-period', '30', 'invalid_duration'],
    ['scale-to-zero-pod-retention-period', '-1ms', 'out_of_range'],
    ['scale-to-zero-pod-retention-period', '1d', 'invalid_duration'],
    ['scale-down-delay', '-1s', 'out_of_range'],
    ['scale-down-delay', '1.5s', 'not_whole_seconds'],
    ['scale-down-delay', '2562047h47m16.854775808s', 'invalid_duration'],
  ];
  it.each(cases)('%s: %j → %s', (key, text, code) => {
    const result = parseAutoscalerConfig({ [key]: text });
    expect(result.success).toBe(false);
    if (result.success) return;
    const [issue] = result.error.issues;
    expect(result.error.issues).toHaveLength(1);
    expect(issue?.path[0]).toBe(key);
    expect(issueCode(issue!)).toBe(code);
    expect(issue?.message.startsWith(`${key} = `)).toBe(true);
    expect(issue?.message).toContain(text === '' ? '""' : text.trim());
    expect(issue?.message).toMatch(/must /);
  });

  it('Knative wording: "max-scale-up-rate = 0.5, must be greater than 1.0"', () => {
    const result = parseAutoscalerConfig({ 'max-scale-up-rate': '0.5' });
    expect(!result.success && result.error.issues[0]?.message).toBe('max-scale-up-rate = 0.5, must be greater than 1.0');
  });

  it('every key has at least one invalid case above', () => {
    const keyed = new Set(cases.map(([k]) => k));
    const expected = Object.values(CONFIG_KEYS).filter((k) => k !== 'pod-autoscaler-class'); // any string is a class
    expect(expected.filter((k) => !keyed.has(k))).toEqual([]);
  });

  it('a value that is not a string is rejected at its key (not_a_string)', () => {
    expect(issuesOf({ 'max-scale': 5, 'enable-scale-to-zero': true, 'stable-window': { s: 60 } })).toEqual([
      ['enable-scale-to-zero', 'not_a_string'],
      ['max-scale', 'not_a_string'],
      ['stable-window', 'not_a_string'],
    ]);
  });
});

describe('durations use Go syntax', () => {
  it.each([
    ['stable-window', '60s', 60_000],
    ['stable-window', '1m30s', 90_000],
    ['stable-window', '1h', 3_600_000],
    ['scale-to-zero-grace-period', '500ms', 500],
    ['scale-down-delay', '1.5h', 5_400_000],
    ['scale-down-delay', '0', 0],
    ['scale-to-zero-pod-retention-period', '1m0.5s', 60_500],
    ['scale-to-zero-grace-period', '100us', 0.1],
  ] as const)('%s: %s = %d ms', (key, text, ms) => {
    const field = (Object.keys(CONFIG_KEYS) as (keyof typeof CONFIG_KEYS)[]).find((f) => CONFIG_KEYS[f] === key)!;
    expect(parsed({ [key]: text })[field]).toBe(ms);
  });
});

describe('container-concurrency-target-percentage: 70 and 0.7 both mean 70 %', () => {
  it.each([
    ['70', 0.7],
    ['0.7', 0.7],
    ['100', 1],
    ['1', 1],
    ['1.0', 1],
    ['0.5', 0.5],
    ['1.5', 0.015],
    ['50', 0.5],
    ['0.01', 0.01],
  ])('%s → fraction %d', (text, fraction) => {
    expect(parsed({ 'container-concurrency-target-percentage': text }).containerConcurrencyTargetFraction).toBeCloseTo(fraction, 12);
  });
});

describe('cross-field rules', () => {
  it('the concurrency target (fraction × default) must be at least 0.01', () => {
    // 1.5 > 1 is a percentage: 1.5 % × 0.5 = 0.0075 < 0.01.
    expect(issuesOf({ 'container-concurrency-target-percentage': '1.5', 'container-concurrency-target-default': '0.5' })).toEqual([
      ['container-concurrency-target-default', 'target_too_small'],
    ]);
    // 1 is a fraction (100 %): 1 × 0.5 = 0.5.
    expect(parsed({ 'container-concurrency-target-percentage': '1', 'container-concurrency-target-default': '0.5' }).containerConcurrencyTargetDefault).toBe(0.5);
    expect(parsed({ 'container-concurrency-target-percentage': '1.5', 'container-concurrency-target-default': '1' }).containerConcurrencyTargetDefault).toBe(1);
  });

  it('initial-scale 0 needs allow-zero-initial-scale', () => {
    expect(issuesOf({ 'initial-scale': '0', 'allow-zero-initial-scale': 'false' })).toEqual([['initial-scale', 'zero_initial_scale_not_allowed']]);
    expect(parsed({ 'initial-scale': '0', 'allow-zero-initial-scale': 'true' }).initialScale).toBe(0);
  });

  it('min-scale <= max-scale when max-scale > 0', () => {
    expect(issuesOf({ 'min-scale': '5', 'max-scale': '3' })).toEqual([['min-scale', 'max_below_min']]);
    expect(parsed({ 'min-scale': '3', 'max-scale': '3' }).minScale).toBe(3);
    expect(parsed({ 'min-scale': '5', 'max-scale': '0' }).minScale).toBe(5); // 0 = unlimited
  });

  it('with max-scale-limit > 0, max-scale must be in [1, limit]', () => {
    expect(issuesOf({ 'max-scale-limit': '10' })).toEqual([['max-scale', 'unlimited_max_scale_with_limit']]);
    expect(issuesOf({ 'max-scale-limit': '10', 'max-scale': '11' })).toEqual([['max-scale', 'max_scale_above_limit']]);
    expect(parsed({ 'max-scale-limit': '10', 'max-scale': '10' }).maxScale).toBe(10);
    expect(parsed({ 'max-scale-limit': '10', 'max-scale': '1' }).maxScale).toBe(1);
  });

  it('cross-field issues list every key involved in params.keys', () => {
    const result = parseAutoscalerConfig({ 'min-scale': '5', 'max-scale': '3' });
    const issue = result.success ? undefined : result.error.issues[0];
    expect(issue?.code === 'custom' && issue.params).toEqual({ code: 'max_below_min', keys: ['min-scale', 'max-scale'] });
  });

  it('a rule whose input already failed is skipped (one issue per key)', () => {
    expect(issuesOf({ 'scale-down-delay': '-1.5s' })).toEqual([['scale-down-delay', 'out_of_range']]);
    expect(issuesOf({ 'min-scale': '-1', 'max-scale': '3' })).toEqual([['min-scale', 'out_of_range']]);
    expect(issuesOf({ 'container-concurrency-target-percentage': '0', 'container-concurrency-target-default': '0' })).toEqual([
      ['container-concurrency-target-percentage', 'out_of_range'],
    ]);
  });
});

describe('several issues, in Knative validation order', () => {
  it('reports every failing key, in the order of Knative validate()', () => {
    const data = {
      'min-scale': '5',
      'max-scale': '3',
      'max-scale-limit': '-1',
      'initial-scale': '0',
      'panic-window-percentage': '0',
      'stable-window': '1s',
      'max-scale-down-rate': '1',
      'max-scale-up-rate': '1',
      'activator-capacity': '0',
      'requests-per-second-target-default': '0',
      'container-concurrency-target-percentage': '200',
      'target-burst-capacity': '-3',
      'scale-to-zero-pod-retention-period': '-1s',
      'scale-down-delay': '-1s',
      'scale-to-zero-grace-period': '0s',
    };
    expect(issuesOf(data).map(([key]) => key)).toEqual([
      'scale-to-zero-grace-period',
      'scale-down-delay',
      'scale-to-zero-pod-retention-period',
      'target-burst-capacity',
      'container-concurrency-target-percentage',
      'requests-per-second-target-default',
      'activator-capacity',
      'max-scale-up-rate',
      'max-scale-down-rate',
      'stable-window',
      'panic-window-percentage',
      'initial-scale',
      'max-scale-limit',
      'min-scale',
    ]);
  });

  it('parse errors fail the whole map before any range rule runs (Knative: parse, then validate)', () => {
    expect(issuesOf({ 'stable-window': 'x', 'max-scale-up-rate': '0.5', 'enable-scale-to-zero': 'maybe' })).toEqual([
      ['enable-scale-to-zero', 'invalid_bool'],
      ['stable-window', 'invalid_duration'],
    ]);
  });
});

describe('unknown keys and odd inputs', () => {
  it('ignores unknown keys, the _example block and Knative test-only keys', () => {
    const data = { _example: 'stable-window: "nonsense"', 'tick-interval': '2s', 'panic-window': 'x', other: 42, nested: { a: 1 } };
    expect(parsed(data)).toEqual(DEFAULT_AUTOSCALER_CONFIG);
  });

  it('accepts a plain object from another realm (vm context, worker)', () => {
    const foreign = vm.runInNewContext('({ "max-scale": "4" })') as unknown;
    expect(parsed(foreign).maxScale).toBe(4);
  });

  it('ignores inherited properties', () => {
    const data = Object.create(null) as Record<string, string>;
    data['max-scale'] = '4';
    expect(parsed(data).maxScale).toBe(4);
    expect(parsed({ constructor: 'x', toString: 'y' })).toEqual(DEFAULT_AUTOSCALER_CONFIG);
  });

  const throwingGetter = Object.defineProperty({}, 'max-scale', {
    enumerable: true,
    get: () => {
      throw new Error('boom');
    },
  });
  const throwingProxy = new Proxy({}, { getPrototypeOf: () => Object.prototype, has: () => true, getOwnPropertyDescriptor: () => { throw new Error('trap'); } });
  it.each([
    ['a number', 5, 'not_an_object'],
    ['a string', 'stable-window: 60s', 'not_an_object'],
    ['an array', [['stable-window', '60s']], 'not_an_object'],
    ['a Map', new Map([['stable-window', '60s']]), 'not_an_object'],
    ['a Date', new Date(0), 'not_an_object'],
    ['a function', () => ({}), 'not_an_object'],
    ['a throwing getter', throwingGetter, 'internal'],
    ['a throwing proxy', throwingProxy, 'internal'],
  ])('%s gives success: false (%s), never a throw', (_name, input, code) => {
    const result = parseAutoscalerConfig(input);
    expect(result.success).toBe(false);
    expect(!result.success && result.error.issues.map(issueCode)).toEqual([code]);
  });
});

describe('autoscalerConfigToData', () => {
  it('writes every key, and parses back to the same config', () => {
    const data = autoscalerConfigToData(DEFAULT_AUTOSCALER_CONFIG);
    expect(Object.keys(data).sort()).toEqual(Object.values(CONFIG_KEYS).sort());
    expect(data['stable-window']).toBe('1m0s');
    expect(parsed(data)).toEqual(DEFAULT_AUTOSCALER_CONFIG);
  });
});

describe('ConfigError', () => {
  it('carries a stable code and every issue', () => {
    const result = parseAutoscalerConfig({ 'max-scale-up-rate': '0.5', 'stable-window': '1s' });
    if (result.success) throw new Error('expected failure');
    const error = new ConfigError('config-autoscaler', result.error);
    expect(error.code).toBe('KPA_CONFIG_INVALID');
    expect(error.issues.map(issueCode)).toEqual(['out_of_range', 'out_of_range']);
    expect(error.message).toContain('max-scale-up-rate = 0.5');
  });
});

// Property tests (fast-check): valid configs round-trip through ConfigMap data, no input makes a
// parser throw, issues always name a key, and the specs built from any valid input stay in range.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Annotations, AutoscalerConfig } from '@kpa-ts/config';
import {
  ANNOTATION_KEYS,
  CONFIG_KEYS,
  DEFAULT_AUTOSCALER_CONFIG,
  LEGACY_ANNOTATION_KEYS,
  autoscalerConfigToData,
  makeRevisionSpec,
  parseAnnotations,
  parseAutoscalerConfig,
  resolveAnnotations,
} from '@kpa-ts/config';
import { formatGoDurationNs, parseGoDurationNs } from '../src/go-duration.js';
import { parseGoFloat } from '../src/go-number.js';

const MAX_INT32 = 2_147_483_647;
const noNegativeZero = (v: number): number => (Object.is(v, -0) ? 0 : v);
const finite = (min: number, max: number, opts: { minExcluded?: boolean } = {}): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true, ...opts }).map(noNegativeZero);

/** Any config Knative's validation accepts (durations in whole milliseconds). */
const validConfig: fc.Arbitrary<AutoscalerConfig> = fc
  .record({
    podAutoscalerClass: fc.string(),
    enableScaleToZero: fc.boolean(),
    allowZeroInitialScale: fc.boolean(),
    initialScale: fc.integer({ min: 0, max: MAX_INT32 }),
    maxScaleLimit: fc.integer({ min: 0, max: MAX_INT32 }),
    scaleSeed: fc.tuple(fc.integer({ min: 0, max: MAX_INT32 }), fc.integer({ min: 0, max: MAX_INT32 })),
    maxScaleUpRate: finite(1, 1e12, { minExcluded: true }),
    maxScaleDownRate: finite(1, 1e12, { minExcluded: true }),
    containerConcurrencyTargetFraction: finite(0, 1, { minExcluded: true }),
    containerConcurrencyTargetDefault: finite(0.01, 1e9),
    rpsTargetDefault: finite(0.01, 1e9),
    targetBurstCapacity: fc.oneof(fc.constant(-1), finite(0, 1e9)),
    activatorCapacity: finite(1, 1e9),
    stableWindowMs: fc.integer({ min: 6, max: 3600 }).map((s) => s * 1000),
    panicWindowPercentage: finite(1, 100),
    panicThresholdPercentage: finite(-1e9, 1e9),
    scaleToZeroGracePeriodMs: fc.integer({ min: 1, max: 1e10 }),
    scaleToZeroPodRetentionPeriodMs: fc.integer({ min: 0, max: 1e10 }),
    scaleDownDelayMs: fc.integer({ min: 0, max: 1e7 }).map((s) => s * 1000),
  })
  .filter((c) => c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault >= 0.01)
  .filter((c) => c.initialScale > 0 || c.allowZeroInitialScale)
  .map(({ scaleSeed: [a, b], ...c }) => {
    const maxScale = c.maxScaleLimit > 0 ? 1 + (a % c.maxScaleLimit) : a % 3 === 0 ? 0 : a;
    const minScale = maxScale > 0 ? b % (maxScale + 1) : b;
    return { ...c, maxScale, minScale, targetUtilization: 0.7 };
  });

const configKeys = Object.values(CONFIG_KEYS);
const annotationKeys = [...Object.values(ANNOTATION_KEYS), ...Object.values(LEGACY_ANNOTATION_KEYS)];

/** Strings that look like the values these keys take, and strings that do not. */
const valueLike = fc.oneof(
  fc.string(),
  fc.constantFrom('', '0', '-1', '1', '2', '1.5', '70', '0.7', 'true', 'FALSE', '60s', '1m30s', '6.5s', '-1s', 'NaN', 'Inf', '1e400', 'rps', 'linear'),
  fc.double().map(String),
  fc.integer().map(String),
);

describe('config-autoscaler properties', () => {
  it('any valid config round-trips through ConfigMap data', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(parseAutoscalerConfig(autoscalerConfigToData(config))).toEqual({ success: true, data: config });
      }),
    );
  });

  it('any map of known keys to any strings never throws; every issue names a key, and one it was given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...configKeys), valueLike), (data) => {
        const result = parseAutoscalerConfig(data);
        if (result.success) return;
        for (const issue of result.error.issues) {
          expect(configKeys).toContain(issue.path[0]);
          expect(issue.message.startsWith(`${String(issue.path[0])} = `)).toBe(true);
          // A cross-field rule may fail at a defaulted key (max-scale 0 under a given max-scale-limit),
          // but it always lists the given key among its keys.
          const keys: unknown = issue.code === 'custom' ? issue.params?.keys : [];
          expect((keys as string[]).some((k) => k in data)).toBe(true);
        }
      }),
    );
  });

  it('any value at all never throws', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withBigInt: true, withDate: true, withNullPrototype: true }), (input) => {
        expect(typeof parseAutoscalerConfig(input).success).toBe('boolean');
      }),
    );
  });

  it('any object with known keys and arbitrary (non-string) values never throws', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...configKeys), fc.anything()), (data) => {
        expect(typeof parseAutoscalerConfig(data).success).toBe('boolean');
      }),
    );
  });
});

describe('annotation properties', () => {
  it('any annotations with any strings never throw; issues name a key that was given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...annotationKeys, 'unrelated/key'), valueLike), validConfig, (annotations, config) => {
        const result = parseAnnotations(annotations, config);
        if (!result.success) {
          for (const issue of result.error.issues) expect(Object.keys(annotations)).toContain(issue.path[0]);
        }
        const resolved = resolveAnnotations(annotations, config);
        if (result.success) expect(resolved).toEqual({ annotations: result.data, issues: [] });
      }),
    );
  });

  it('any value at all never throws', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withNullPrototype: true }), (input) => {
        expect(typeof parseAnnotations(input, DEFAULT_AUTOSCALER_CONFIG).success).toBe('boolean');
      }),
    );
  });

  it('resolved (use-time) annotations always give in-range windows and thresholds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...annotationKeys), valueLike), (annotations) => {
        const { annotations: values } = resolveAnnotations(annotations, DEFAULT_AUTOSCALER_CONFIG);
        const spec = makeRevisionSpec(DEFAULT_AUTOSCALER_CONFIG, values, 0);
        expect(spec.windows.stableWindowMs).toBeGreaterThanOrEqual(6_000);
        expect(spec.windows.stableWindowMs).toBeLessThanOrEqual(3_600_000);
        expect(spec.scaler.panicThreshold).toBeGreaterThanOrEqual(1.1);
      }),
    );
  });
});

/** Valid parsed annotations, drawn field by field. */
const validAnnotations: fc.Arbitrary<Annotations> = fc.record(
  {
    metric: fc.constantFrom('concurrency', 'rps'),
    target: finite(0.01, 1e6),
    targetUtilizationPercentage: finite(1, 100),
    targetBurstCapacity: fc.oneof(fc.constant(-1), finite(0, 1e6)),
    windowMs: fc.integer({ min: 6, max: 3600 }).map((s) => s * 1000),
    panicWindowPercentage: finite(1, 100),
    panicThresholdPercentage: finite(110, 1000),
    minScale: fc.integer({ min: 0, max: 100 }),
    maxScale: fc.integer({ min: 0, max: 1000 }),
    scaleDownDelayMs: fc.integer({ min: 0, max: 3600 }).map((s) => s * 1000),
  },
  { requiredKeys: [] },
);

describe('spec properties', () => {
  it('makeRevisionSpec keeps every number in range for any valid config, annotations and containerConcurrency', () => {
    fc.assert(
      fc.property(validConfig, validAnnotations, fc.integer({ min: 0, max: 1000 }), (config, annotations, cc) => {
        const { scaler, windows, reconcile } = makeRevisionSpec(config, annotations, cc);
        expect(scaler.targetValue).toBeGreaterThanOrEqual(0.01);
        if (scaler.metric === 'concurrency' && cc > 0) expect(scaler.totalValue).toBeLessThanOrEqual(cc);
        expect(windows.panicWindowMs % 1000).toBe(0);
        expect(windows.panicWindowMs).toBeGreaterThanOrEqual(1000);
        expect(windows.panicWindowMs).toBeLessThanOrEqual(windows.stableWindowMs);
        expect(reconcile.activationTimeoutMs).toBe(630_000);
        expect(reconcile.initialScale >= 1 || config.allowZeroInitialScale).toBe(true);
      }),
    );
  });
});

describe('Go syntax properties', () => {
  it('Duration.String of any int64 parses back to itself', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n) + 1n, max: (1n << 63n) - 1n }), (ns) => {
        const back = parseGoDurationNs(formatGoDurationNs(ns));
        expect(back.ok && back.value).toBe(ns);
      }),
    );
  });

  it('any finite double printed by JavaScript parses back bit-exactly as a Go float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegativeZero), (x) => { // String(-0) is "0"
        const back = parseGoFloat(String(x));
        expect(back.ok && back.value).toBe(x);
      }),
    );
  });
});

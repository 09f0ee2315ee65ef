import { describe, expect, it, afterEach } from '@jest/globals';
import { DEFAULT_AUTOSCALER_CONFIG } from '@kpa-ts/config';
import { ConfigReloader, parseConfigText } from '@kpa-ts/autoscaler';
import { Registry } from 'prom-client';
import { captureLogger, makeHarness, metricValue, NS, revision, type Harness } from './helpers.js';

const configMap = (data: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: kpa-system
data:
${data}`;

describe('parseConfigText', () => {
  it.each([
    ['an empty file (an empty ConfigMap) → defaults', '', DEFAULT_AUTOSCALER_CONFIG.stableWindowMs],
    ['a ConfigMap manifest → its data', configMap('  stable-window: "30s"\n  _example: "ignored"'), 30_000],
    ['a ConfigMap without data → defaults', configMap('').replace(/^data:\n$/m, ''), 60_000],
    ['a plain YAML map', 'stable-window: 45s\nmax-scale-up-rate: 10\n', 45_000],
    ['a plain JSON map', '{"stable-window": "20s", "enable-scale-to-zero": true}', 20_000],
  ])('%s', (_name, text, stableWindowMs) => {
    const r = parseConfigText(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.stableWindowMs).toBe(stableWindowMs);
  });

  it.each([
    ['a value out of range names the key', 'max-scale-up-rate: "0.5"', 'max-scale-up-rate', 'out_of_range'],
    ['an unparsable duration names the key', configMap('  stable-window: "soon"'), 'stable-window', 'invalid_duration'],
    ['a nested value names the key', 'stable-window: {a: 1}', 'stable-window', 'not_a_string'],
    ['not YAML at all', 'stable-window: [unclosed', '(file)', 'invalid_yaml'],
  ])('%s', (_name, text, key, code) => {
    const r = parseConfigText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ key, code });
  });
});

describe('config reload', () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it('applies a valid config to every revision at once and keeps the last good one on an invalid one', async () => {
    h = makeHarness();
    h.backend.upsert(revision('a'), 1);
    h.backend.upsert(revision('b', { 'autoscaling.knative.dev/window': '20s' }), 1);
    await h.start();
    await h.run('a', 2, () => 10);
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const reloader = new ConfigReloader({ apply: (c) => h.main.as.applyConfig(c), logger, registry, source: 'test' });

    expect(reloader.load('stable-window: 30s\ncontainer-concurrency-target-default: "10"\n')).toBe('applied');
    const a = h.main.as.revision(NS, 'a')!;
    expect(a.spec.scaler.stableWindowMs).toBe(30_000);
    expect(a.spec.windows.panicWindowMs).toBe(3_000);
    expect(a.spec.scaler.targetValue).toBeCloseTo(7);
    // The annotation still wins over the ConfigMap.
    expect(h.main.as.revision(NS, 'b')!.spec.scaler.stableWindowMs).toBe(20_000);
    // New revisions get the new config too.
    h.backend.upsert(revision('c'), 1);
    expect(h.main.as.revision(NS, 'c')!.spec.scaler.stableWindowMs).toBe(30_000);

    expect(reloader.load('stable-window: 30s\nmax-scale-down-rate: "0.5"\n')).toBe('rejected');
    expect(h.main.as.config.stableWindowMs).toBe(30_000);
    expect(h.main.as.config.maxScaleDownRate).toBe(2);
    expect(reloader.current.containerConcurrencyTargetDefault).toBe(10);
    expect(await metricValue(registry, 'autoscaler_config_reload_failures_total')).toBe(1);
    const error = lines.find((l) => l.level === 50);
    expect(error).toMatchObject({ key: 'max-scale-down-rate', code: 'out_of_range' });
    expect(error?.msg).toContain('max-scale-down-rate');

    expect(reloader.load('stable-window: 30s\ncontainer-concurrency-target-default: "10"\n')).toBe('unchanged');
    expect(reloader.load(undefined)).toBe('missing');
    expect(reloader.current.stableWindowMs).toBe(30_000);
    expect(await metricValue(registry, 'autoscaler_config_reloads_total')).toBe(1);
  });

  it('a first load of an invalid file keeps Knative defaults', () => {
    const { logger } = captureLogger();
    const registry = new Registry();
    let applied = 0;
    const reloader = new ConfigReloader({ apply: () => applied++, logger, registry, source: 'test' });
    expect(reloader.load('max-scale-up-rate: "0.5"')).toBe('rejected');
    expect(reloader.current).toEqual(DEFAULT_AUTOSCALER_CONFIG);
    expect(applied).toBe(0);
  });
});

describe('revision annotations', () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it('invalid annotations: defaults when first seen, the last good spec afterwards, a log line naming the annotation', async () => {
    h = makeHarness();
    h.backend.upsert(revision('r', { 'autoscaling.knative.dev/min-scale': '-1' }), 1);
    await h.start();
    const state = (): ReturnType<typeof h.main.as.revision> => h.main.as.revision(NS, 'r');
    expect(state()!.spec.reconcile.minScale).toBe(0);
    const logged = h.main.lines.filter((l) => l.annotation === 'autoscaling.knative.dev/min-scale');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, code: 'out_of_range', revision: `${NS}/r` });
    expect(logged[0]!.msg).toContain('keeps the config-autoscaler defaults');

    h.backend.upsert(revision('r', { 'autoscaling.knative.dev/min-scale': '2', 'autoscaling.knative.dev/window': '10s' }), 1);
    expect(state()!.spec.reconcile.minScale).toBe(2);
    expect(state()!.spec.scaler.stableWindowMs).toBe(10_000);

    h.backend.upsert(revision('r', { 'autoscaling.knative.dev/min-scale': '2', 'autoscaling.knative.dev/window': '1s' }), 1);
    expect(state()!.spec.scaler.stableWindowMs).toBe(10_000);
    expect(h.main.lines.some((l) => l.annotation === 'autoscaling.knative.dev/window' && String(l.msg).includes('the last valid annotations'))).toBe(true);
    expect(await metricValue(h.main.registry, 'autoscaler_annotation_errors_total')).toBe(2);
  });

  it('a changed annotation resizes the windows and updates the scaler of a running revision', async () => {
    h = makeHarness();
    h.backend.upsert(revision('r'), 1);
    await h.start();
    await h.run('r', 4, () => 60);
    h.backend.upsert(revision('r', { 'autoscaling.knative.dev/target': '10' }), 1);
    await h.run('r', 2, () => 60);
    expect(h.backend.get(NS, 'r')?.replicas).toBe(9); // 60 / (10 × 0.7) = 8.6 → 9
  });
});

import { describe, expect, it } from '@jest/globals';
import { CliError } from '../src/errors.js';
import { annotationKey, parseSimulateArgs } from '../src/simulate-options.js';

function usageError(argv: string[]): CliError {
  try {
    parseSimulateArgs(argv);
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('parseSimulateArgs', () => {
  it('has defaults for everything but the trace', () => {
    expect(parseSimulateArgs(['t.csv'])).toEqual({
      tracePath: 't.csv',
      annotations: {},
      config: {},
      containerConcurrency: 0,
      podStartDelayMs: 5000,
      podStopDelayMs: 0,
      initialPods: 0,
      latencyMs: 100,
      durationMs: undefined,
      tickMs: 2000,
      format: 'table',
      svgPath: undefined,
      pngPath: undefined,
      quiet: false,
      help: false,
    });
  });

  it('reads every option', () => {
    const o = parseSimulateArgs([
      't.csv', '--annotation', 'max-scale=3', '--annotation', 'autoscaling.knative.dev/window=30s', '--annotation', 'kpa-ts.dev/x = y',
      '--config', 'stable-window=20s', '--config', 'enable-scale-to-zero=false', '--container-concurrency', '100',
      '--pod-start-delay', '1m30s', '--pod-stop-delay=2500', '--initial-pods', '2', '--latency-ms', '250.5', '--duration', '10m',
      '--tick', '3s', '--format', 'json', '--svg', 'o.svg', '--png', 'o.png', '--quiet',
    ]);
    expect(o).toEqual({
      tracePath: 't.csv',
      annotations: { 'autoscaling.knative.dev/max-scale': '3', 'autoscaling.knative.dev/window': '30s', 'kpa-ts.dev/x': 'y' },
      config: { 'stable-window': '20s', 'enable-scale-to-zero': 'false' },
      containerConcurrency: 100,
      podStartDelayMs: 90_000,
      podStopDelayMs: 2500,
      initialPods: 2,
      latencyMs: 250.5,
      durationMs: 600_000,
      tickMs: 3000,
      format: 'json',
      svgPath: 'o.svg',
      pngPath: 'o.png',
      quiet: true,
      help: false,
    });
  });

  it('needs no trace for --help', () => {
    expect(parseSimulateArgs(['-h']).help).toBe(true);
  });

  it.each([
    ['an unknown flag', ['t.csv', '--bogus'], '--bogus'],
    ['a flag without its value', ['t.csv', '--tick'], '--tick'],
    ['a bad duration', ['t.csv', '--pod-start-delay', 'soon'], '--pod-start-delay'],
    ['a tick that is not whole seconds', ['t.csv', '--tick', '1500ms'], '--tick'],
    ['a zero tick', ['t.csv', '--tick', '0s'], '--tick'],
    ['a negative container concurrency', ['t.csv', '--container-concurrency=-1'], '--container-concurrency'],
    ['a fractional pod count', ['t.csv', '--initial-pods', '1.5'], '--initial-pods'],
    ['a zero latency', ['t.csv', '--latency-ms', '0'], '--latency-ms'],
    ['an unknown format', ['t.csv', '--format', 'xml'], '--format'],
    ['an annotation without a value', ['t.csv', '--annotation', 'max-scale'], '--annotation'],
    ['a config without a value', ['t.csv', '--config', '=3'], '--config'],
    ['a missing trace', [], '<trace.csv>'],
    ['two traces', ['a.csv', 'b.csv'], 'one trace'],
  ])('rejects %s with E_USAGE naming it', (_name, argv, needle) => {
    const err = usageError(argv);
    expect(err.code).toBe('E_USAGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(needle);
  });
});

describe('annotationKey', () => {
  it.each([
    ['max-scale', 'autoscaling.knative.dev/max-scale'],
    ['minScale', 'autoscaling.knative.dev/minScale'],
    ['autoscaling.knative.dev/target', 'autoscaling.knative.dev/target'],
    ['kpa-ts.dev/thing', 'kpa-ts.dev/thing'],
  ])('%s → %s', (key, full) => expect(annotationKey(key)).toBe(full));
});

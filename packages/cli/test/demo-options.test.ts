import { describe, expect, it } from '@jest/globals';
import { checkDemoConfig, CliError, demoConfig, parseDemoArgs } from '@kpa-ts/cli';

describe('kpa demo flags', () => {
  it("defaults: seed 003's experiment with Knative's windows", () => {
    expect(parseDemoArgs([])).toEqual({
      concurrency: 500,
      durationMs: 60_000,
      maxScale: 3,
      containerConcurrency: 100,
      stableWindowMs: 60_000,
      graceMs: 30_000,
      targetBurstCapacity: 211,
      latencyMs: 250,
      autoscalers: 2,
      settleTimeoutMs: 60_000 + 30_000 + 60_000,
      config: {},
      svgPath: undefined,
      json: false,
      help: false,
    });
  });

  it('parses durations, numbers, repeated --config and --json', () => {
    const o = parseDemoArgs(['--concurrency', '150', '--duration', '15s', '--stable-window', '10s', '--grace', '500ms', '--config', 'panic-window-percentage=40', '--config', 'scale-down-delay=2s', '--json', '--target-burst-capacity=-1']);
    expect(o).toMatchObject({ concurrency: 150, durationMs: 15_000, stableWindowMs: 10_000, graceMs: 500, json: true, targetBurstCapacity: -1, settleTimeoutMs: 70_500 });
    expect(o.config).toEqual({ 'panic-window-percentage': '40', 'scale-down-delay': '2s' });
  });

  it.each([
    [['--concurrency', '0'], '--concurrency'],
    [['--concurrency', 'lots'], '--concurrency'],
    [['--duration', 'forever'], '--duration'],
    [['--stable-window', '5s'], '--stable-window'],
    [['--stable-window', '6500ms'], '--stable-window'],
    [['--autoscalers', '4'], '--autoscalers'],
    [['--target-burst-capacity', '-2'], '--target-burst-capacity'],
    [['--config', 'nokey'], '--config'],
    [['--nope'], 'nope'],
  ])('rejects %j with E_USAGE naming the flag', (argv, flag) => {
    let caught: unknown;
    try {
      parseDemoArgs(argv);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).code).toBe('E_USAGE');
    expect((caught as CliError).message).toContain(flag);
  });
});

describe('the demo config-autoscaler', () => {
  it("is Knative's with the run's windows and zero initial scale allowed; --config wins", () => {
    const o = parseDemoArgs(['--stable-window', '10s', '--grace', '2s', '--config', 'stable-window=20s']);
    expect(demoConfig(o)).toEqual({ 'stable-window': '20s', 'scale-to-zero-grace-period': '2000ms', 'target-burst-capacity': '211', 'allow-zero-initial-scale': 'true' });
    expect(() => checkDemoConfig(demoConfig(o))).not.toThrow();
  });

  it.each([
    [{ 'stable-window': '3s' }, 'stable-window'],
    [{ 'max-scale-up-rate': '1' }, 'max-scale-up-rate'],
    [{ 'not-a-key': '1' }, 'not-a-key'],
  ])('rejects %j before starting anything (E_CONFIG)', (config, key) => {
    expect(() => checkDemoConfig(config)).toThrow(expect.objectContaining({ code: 'E_CONFIG', message: expect.stringContaining(key) }));
  });
});

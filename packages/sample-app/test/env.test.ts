import { describe, expect, it } from '@jest/globals';
import { parseSampleAppEnv, SampleAppEnvError } from '@kpa-ts/sample-app';

describe('parseSampleAppEnv', () => {
  it('has documented defaults and uses the hostname as the pod name', () => {
    expect(parseSampleAppEnv({}, 'host-1')).toEqual({
      port: 8080,
      host: '127.0.0.1',
      podName: 'host-1',
      latencyMs: 0,
      jitterMs: 0,
      cpuMs: 0,
      failureRate: 0,
      startDelayMs: 0,
      shutdownTimeoutMs: 30_000,
      logRequests: false,
    });
  });

  it('reads every variable', () => {
    const cfg = parseSampleAppEnv(
      { PORT: '9000', HOST: '127.1.0.7', LATENCY_MS: '20', JITTER_MS: '5', CPU_MS: '3', FAILURE_RATE: '0.25', START_DELAY_MS: '100', SHUTDOWN_TIMEOUT_MS: '50', LOG_REQUESTS: '1', SERVING_POD: 'rev-x1y2z' },
      'host-1',
    );
    expect(cfg).toEqual({ port: 9000, host: '127.1.0.7', podName: 'rev-x1y2z', latencyMs: 20, jitterMs: 5, cpuMs: 3, failureRate: 0.25, startDelayMs: 100, shutdownTimeoutMs: 50, logRequests: true });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['LATENCY_MS', '-1'],
    ['CPU_MS', 'lots'],
    ['FAILURE_RATE', '1.5'],
    ['FAILURE_RATE', '-0.1'],
    ['START_DELAY_MS', '99999999'],
    ['HOST', ''],
    ['LOG_REQUESTS', 'yes'],
  ])('rejects %s=%j naming the variable', (variable, value) => {
    let caught: unknown;
    try {
      parseSampleAppEnv({ [variable]: value }, 'h');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SampleAppEnvError);
    expect((caught as SampleAppEnvError).code).toBe('SAMPLE_APP_INVALID_ENV');
    expect((caught as SampleAppEnvError).variable).toBe(variable);
  });
});

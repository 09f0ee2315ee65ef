import { describe, expect, it } from '@jest/globals';
import { AutoscalerError, parseAutoscalerEnv } from '@kpa-ts/autoscaler';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', RUNTIME_URL: 'http://127.0.0.1:7070' };

describe('parseAutoscalerEnv', () => {
  it('fills every default', () => {
    const env = parseAutoscalerEnv(base);
    expect(env).toMatchObject({ BACKEND: 'local', ADMIN_PORT: 9090, STATS_SHARDS: 16, LEASE_TTL_MS: 10_000, TICK_INTERVAL_MS: 2_000, KPA_PREFIX: '' });
    expect(env.AUTOSCALER_NAME).toMatch(/^autoscaler-/);
    expect(env.CONFIG_FILE).toBeUndefined();
  });

  it.each([
    ['REDIS_URL missing', { RUNTIME_URL: base.RUNTIME_URL }, 'REDIS_URL'],
    ['REDIS_URL not redis://', { ...base, REDIS_URL: 'http://x' }, 'REDIS_URL'],
    ['ADMIN_PORT out of range', { ...base, ADMIN_PORT: '70000' }, 'ADMIN_PORT'],
    ['STATS_SHARDS not a number', { ...base, STATS_SHARDS: 'many' }, 'STATS_SHARDS'],
    ['LEASE_TTL_MS too short', { ...base, LEASE_TTL_MS: '10' }, 'LEASE_TTL_MS'],
    ['BACKEND unknown', { ...base, BACKEND: 'k8s' }, 'BACKEND'],
    ['BACKEND=local without RUNTIME_URL', { REDIS_URL: base.REDIS_URL, BACKEND: 'local' }, 'RUNTIME_URL'],
    ['RUNTIME_URL not http', { ...base, RUNTIME_URL: 'ftp://x' }, 'RUNTIME_URL'],
  ])('%s → AS_INVALID_ENV naming the variable', (_name, env, variable) => {
    let caught: unknown;
    try {
      parseAutoscalerEnv(env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AutoscalerError);
    expect((caught as AutoscalerError).code).toBe('AS_INVALID_ENV');
    expect((caught as AutoscalerError).message).toContain(`${variable}=`);
  });

  it('BACKEND=memory needs no runtime', () => {
    expect(parseAutoscalerEnv({ REDIS_URL: base.REDIS_URL, BACKEND: 'memory' }).BACKEND).toBe('memory');
  });
});

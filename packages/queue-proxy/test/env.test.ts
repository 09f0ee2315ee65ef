import { describe, expect, it } from '@jest/globals';
import { parseEnv } from '../src/env.js';
import { EnvError } from '../src/errors.js';

const base = { SERVING_NAMESPACE: 'ns', SERVING_REVISION: 'rev-1' };
const parse = (env: Record<string, string | undefined>): ReturnType<typeof parseEnv> => parseEnv(env, { hostname: 'host-a' });

function envError(env: Record<string, string | undefined>): EnvError {
  try {
    parse(env);
  } catch (err) {
    if (err instanceof EnvError) return err;
    throw err;
  }
  throw new Error('expected an EnvError');
}

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    expect(parse(base)).toEqual({
      namespace: 'ns',
      revision: 'rev-1',
      pod: 'host-a',
      bindHost: '127.0.0.1',
      servingPort: 8012,
      metricsPort: 9091,
      userHost: '127.0.0.1',
      userPort: 8080,
      containerConcurrency: 0,
      revisionTimeoutMs: 300_000,
      drainTimeoutMs: 30_000,
      drainGraceMs: 1000,
      readinessProbe: { target: { kind: 'tcp', host: '127.0.0.1', port: 8080 }, periodMs: 1000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 },
      redisUrl: undefined,
      statsShards: 16,
      redisKeyPrefix: '',
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const c = parse({
      ...base,
      SERVING_POD: 'pod-1',
      SERVING_POD_IP: '127.0.0.5',
      QUEUE_SERVING_PORT: '18012',
      METRICS_PORT: '19091',
      USER_HOST: '127.0.0.6',
      USER_PORT: '3000',
      CONTAINER_CONCURRENCY: '10',
      REVISION_TIMEOUT_SECONDS: '7',
      QUEUE_DRAIN_TIMEOUT_SECONDS: '5',
      QUEUE_DRAIN_GRACE_SECONDS: '0.25',
      REDIS_URL: 'redis://127.0.0.1:6390',
      STATS_SHARDS: '4',
      REDIS_KEY_PREFIX: 't1:',
      LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      pod: 'pod-1',
      bindHost: '127.0.0.5',
      servingPort: 18012,
      metricsPort: 19091,
      userHost: '127.0.0.6',
      userPort: 3000,
      containerConcurrency: 10,
      revisionTimeoutMs: 7000,
      drainTimeoutMs: 5000,
      drainGraceMs: 250,
      redisUrl: 'redis://127.0.0.1:6390',
      statsShards: 4,
      redisKeyPrefix: 't1:',
      logLevel: 'warn',
      readinessProbe: { target: { kind: 'tcp', host: '127.0.0.6', port: 3000 } },
    });
  });

  it('treats empty strings as unset', () => {
    expect(parse({ ...base, USER_PORT: '', CONTAINER_CONCURRENCY: ' ' })).toMatchObject({ userPort: 8080, containerConcurrency: 0 });
  });

  it('caps the drain grace at the drain timeout', () => {
    expect(parse({ ...base, QUEUE_DRAIN_TIMEOUT_SECONDS: '2', QUEUE_DRAIN_GRACE_SECONDS: '10' }).drainGraceMs).toBe(2000);
  });

  it.each([
    ['a tcpSocket probe with host and port', '{"tcpSocket":{"port":8081,"host":"127.0.0.7"}}', { kind: 'tcp', host: '127.0.0.7', port: 8081 }],
    ['a tcpSocket probe with a named port → the user port', '{"tcpSocket":{"port":"http"}}', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    ['a tcpSocket probe with port 0 → the user port', '{"tcpSocket":{"port":0}}', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    [
      'an httpGet probe with headers',
      '{"httpGet":{"path":"/healthz","port":"8082","host":"127.0.0.8","httpHeaders":[{"name":"X-A","value":"b"}]}}',
      { kind: 'http', host: '127.0.0.8', port: 8082, path: '/healthz', headers: [['X-A', 'b']] },
    ],
    ['an httpGet probe without a path → /', '{"httpGet":{"port":8080}}', { kind: 'http', host: '127.0.0.1', port: 8080, path: '/', headers: [] }],
    ['an httpGet path without a leading slash', '{"httpGet":{"path":"ready"}}', { kind: 'http', host: '127.0.0.1', port: 8080, path: '/ready', headers: [] }],
  ])('SERVING_READINESS_PROBE: %s', (_name, json, target) => {
    expect(parse({ ...base, SERVING_READINESS_PROBE: json }).readinessProbe.target).toEqual(target);
  });

  it('SERVING_READINESS_PROBE timings: 0 means the defaults (Knative writes periodSeconds 0 for "aggressive")', () => {
    const json = '{"tcpSocket":{},"periodSeconds":0,"timeoutSeconds":0}';
    expect(parse({ ...base, SERVING_READINESS_PROBE: json }).readinessProbe).toMatchObject({ periodMs: 1000, timeoutMs: 1000 });
    const json2 = '{"tcpSocket":{},"periodSeconds":3,"timeoutSeconds":2,"successThreshold":2,"failureThreshold":5}';
    expect(parse({ ...base, SERVING_READINESS_PROBE: json2 }).readinessProbe).toMatchObject({ periodMs: 3000, timeoutMs: 2000, successThreshold: 2, failureThreshold: 5 });
  });

  it.each([
    ['SERVING_NAMESPACE missing', { SERVING_REVISION: 'r' }, ['SERVING_NAMESPACE']],
    ['SERVING_REVISION missing', { SERVING_NAMESPACE: 'n' }, ['SERVING_REVISION']],
    ['CONTAINER_CONCURRENCY not a number', { ...base, CONTAINER_CONCURRENCY: 'lots' }, ['CONTAINER_CONCURRENCY']],
    ['CONTAINER_CONCURRENCY negative', { ...base, CONTAINER_CONCURRENCY: '-1' }, ['CONTAINER_CONCURRENCY']],
    ['CONTAINER_CONCURRENCY above 1000', { ...base, CONTAINER_CONCURRENCY: '1001' }, ['CONTAINER_CONCURRENCY']],
    ['USER_PORT out of range', { ...base, USER_PORT: '70000' }, ['USER_PORT']],
    ['QUEUE_SERVING_PORT fractional', { ...base, QUEUE_SERVING_PORT: '80.5' }, ['QUEUE_SERVING_PORT']],
    ['REVISION_TIMEOUT_SECONDS zero', { ...base, REVISION_TIMEOUT_SECONDS: '0' }, ['REVISION_TIMEOUT_SECONDS']],
    ['REDIS_URL not redis', { ...base, REDIS_URL: 'http://127.0.0.1' }, ['REDIS_URL']],
    ['SERVING_READINESS_PROBE not JSON', { ...base, SERVING_READINESS_PROBE: '{tcp' }, ['SERVING_READINESS_PROBE']],
    ['SERVING_READINESS_PROBE with neither check', { ...base, SERVING_READINESS_PROBE: '{"periodSeconds":1}' }, ['SERVING_READINESS_PROBE']],
    ['SERVING_READINESS_PROBE exec', { ...base, SERVING_READINESS_PROBE: '{"exec":{"command":["true"]}}' }, ['SERVING_READINESS_PROBE']],
    ['SERVING_READINESS_PROBE bad threshold', { ...base, SERVING_READINESS_PROBE: '{"tcpSocket":{},"failureThreshold":0}' }, ['SERVING_READINESS_PROBE']],
    ['LOG_LEVEL unknown', { ...base, LOG_LEVEL: 'loud' }, ['LOG_LEVEL']],
    ['two at once', { ...base, USER_PORT: 'x', METRICS_PORT: '0' }, ['METRICS_PORT', 'USER_PORT']],
  ])('rejects %s, naming the variable', (_name, env, variables) => {
    const err = envError(env);
    expect(err.code).toBe('QP_ENV_INVALID');
    expect([...err.variables].sort()).toEqual(variables);
    for (const v of variables) expect(err.message).toContain(v);
  });

  it('the message names the value and the range', () => {
    const err = envError({ ...base, CONTAINER_CONCURRENCY: 'lots' });
    expect(err.message).toContain('"lots"');
    expect(err.message).toContain('[0, 1000]');
  });
});

import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, deployRequestSchema, endpointsOf, parseRuntimeEnv, watchEventSchema, type PodInfo } from '@kpa-ts/runtime-local';

// Pure parts of the runtime API: env, bodies, watch events, endpoints, reconnect backoff.
const pod = (name: string, extra: Partial<PodInfo> = {}): PodInfo => ({
  name, namespace: 'ns', revision: 'r', ip: '127.1.0.2', port: 8012, phase: 'ready', ready: true, createdAtMs: 1, ...extra,
});

describe('parseRuntimeEnv', () => {
  it('defaults: loopback on a free port, 127.1.0.0/16, queue-proxy next to this package', () => {
    const env = parseRuntimeEnv({});
    expect(env.LISTEN).toEqual({ host: '127.0.0.1', port: 0 });
    expect(env.IP_RANGE).toBe('127.1.0.0/16');
    expect(env.QUEUE_PROXY_MAIN).toMatch(/packages\/queue-proxy\/dist\/main\.js$/);
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('parses LISTEN and QUEUE_PROXY_ENV', () => {
    const env = parseRuntimeEnv({ LISTEN: '127.0.0.5:7070', QUEUE_PROXY_ENV: '{"LOG_LEVEL":"warn"}', REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(env.LISTEN).toEqual({ host: '127.0.0.5', port: 7070 });
    expect(env.QUEUE_PROXY_ENV).toEqual({ LOG_LEVEL: 'warn' });
  });

  it.each([
    ['LISTEN', '0.0.0.0:80'],
    ['LISTEN', '127.0.0.1:99999'],
    ['REDIS_URL', 'localhost:6379'],
    ['QUEUE_PROXY_ENV', '{"A":1}'],
    ['QUEUE_PROXY_ENV', 'not json'],
    ['PROBE_INTERVAL_MS', '5'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s naming the variable and the value', (key, value) => {
    expect(() => parseRuntimeEnv({ [key]: value })).toThrow(`${key}=${JSON.stringify(value)}`);
  });
});

describe('deployRequestSchema', () => {
  it('defaults annotations to {} and args to []', () => {
    const r = deployRequestSchema.parse({ namespace: 'a', revision: 'b', containerConcurrency: 0, app: { command: 'node' } });
    expect(r.annotations).toEqual({});
    expect(r.app.args).toEqual([]);
    expect(r.replicas).toBeUndefined();
  });

  it('rejects a revision name too long for pod names', () => {
    const r = deployRequestSchema.safeParse({ namespace: 'a', revision: 'x'.repeat(58), containerConcurrency: 0, app: { command: 'node' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['revision']);
  });
});

describe('watchEventSchema', () => {
  it('accepts every event type and rejects unknown ones', () => {
    for (const e of [{ type: 'synced' }, { type: 'heartbeat' }, { type: 'revision-deleted', namespace: 'a', revision: 'b' }, { type: 'pods', namespace: 'a', revision: 'b', pods: [pod('p')] }]) {
      expect(watchEventSchema.safeParse(e).success).toBe(true);
    }
    expect(watchEventSchema.safeParse({ type: 'surprise' }).success).toBe(false);
  });
});

describe('endpointsOf', () => {
  it('skips pods without an address; terminating pods are never ready', () => {
    expect(endpointsOf([pod('a'), pod('b', { ip: '', phase: 'pending', ready: false }), pod('c', { phase: 'terminating', ready: true }), pod('d', { phase: 'running', ready: false })])).toEqual([
      { pod: 'a', ip: '127.1.0.2', port: 8012, ready: true },
      { pod: 'c', ip: '127.1.0.2', port: 8012, ready: false },
      { pod: 'd', ip: '127.1.0.2', port: 8012, ready: false },
    ]);
  });
});

describe('backoffDelayMs', () => {
  it.each([
    [0, 0, 50],
    [0, 0.999, 100],
    [3, 0, 400],
    [3, 0.5, 600],
    [10, 0, 2500],
    [50, 0.999, 4998],
  ])('attempt %i with random %f → %i ms (100 ms doubling, capped at 5 s, jitter [0.5, 1))', (attempt, r, want) => {
    expect(backoffDelayMs(attempt, 100, 5000, () => r)).toBe(want);
  });
});

import { describe, expect, it } from '@jest/globals';
import { ActivatorError, parseActivatorEnv, topologyFromJson } from '@kpa-ts/activator';

function codeAndMessage(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ActivatorError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('did not throw');
}

describe('parseActivatorEnv', () => {
  it('fills every default', () => {
    const env = parseActivatorEnv({ TOPOLOGY_FILE: '/t.json', ACTIVATOR_NAME: 'a1' });
    expect(env).toMatchObject({ PORT: 8012, ADMIN_PORT: 9090, DOMAIN: 'kpa.local', QUEUE_DEPTH: 10_000, ACTIVATOR_INDEX: -1, ACTIVATOR_REPLICAS: 1, TOPOLOGY: 'static', RETRY_ATTEMPTS: 3 });
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('TOPOLOGY=local takes the runtime API URL', () => {
    expect(parseActivatorEnv({ TOPOLOGY: 'local', RUNTIME_URL: 'http://127.0.0.1:7070' })).toMatchObject({ TOPOLOGY: 'local', RUNTIME_URL: 'http://127.0.0.1:7070' });
  });

  it.each([
    [{ TOPOLOGY_FILE: '/t', QUEUE_DEPTH: '0' }, 'QUEUE_DEPTH="0"'],
    [{ TOPOLOGY_FILE: '/t', PORT: 'http' }, 'PORT="http"'],
    [{ TOPOLOGY_FILE: '/t', REDIS_URL: 'localhost:6379' }, 'REDIS_URL="localhost:6379": must start with redis://'],
    [{}, 'TOPOLOGY=static needs TOPOLOGY_FILE'],
    [{ TOPOLOGY: 'kubernetes', WATCH_NAMESPACE: 'Bad_NS' }, 'WATCH_NAMESPACE="Bad_NS"'],
    [{ TOPOLOGY: 'local' }, 'TOPOLOGY=local needs RUNTIME_URL'],
    [{ TOPOLOGY: 'local', RUNTIME_URL: 'ftp://127.0.0.1:1' }, 'RUNTIME_URL="ftp://127.0.0.1:1"'],
    [{ TOPOLOGY_FILE: '/t', ACTIVATOR_INDEX: '2', ACTIVATOR_REPLICAS: '2' }, 'ACTIVATOR_INDEX=2 must be below ACTIVATOR_REPLICAS=2'],
  ])('rejects %j naming the variable and value', (env, want) => {
    const e = codeAndMessage(() => parseActivatorEnv(env));
    expect(e.code).toBe('ACT_CONFIG');
    expect(e.message).toContain(want);
  });
});

describe('topologyFromJson', () => {
  it('builds an in-memory topology (ready defaults to true)', () => {
    const t = topologyFromJson({ revisions: [{ namespace: 'ns', revision: 'r', containerConcurrency: 2, endpoints: [{ pod: 'p', ip: '127.0.0.5', port: 8012 }] }] });
    expect(t.snapshot()).toEqual({
      revisions: [{ namespace: 'ns', revision: 'r', containerConcurrency: 2 }],
      endpoints: { 'ns/r': [{ pod: 'p', ip: '127.0.0.5', port: 8012, ready: true }] },
    });
  });

  it('names the bad field', () => {
    const e = codeAndMessage(() => topologyFromJson({ revisions: [{ namespace: 'ns', revision: 'r', containerConcurrency: -1 }] }, 't.json'));
    expect(e.code).toBe('ACT_CONFIG');
    expect(e.message).toContain('t.json: revisions.0.containerConcurrency');
  });
});

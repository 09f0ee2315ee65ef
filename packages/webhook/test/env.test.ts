import { describe, expect, it } from '@jest/globals';
import { WebhookError, injectionConfigFromEnv, parseWebhookEnv } from '@kpa-ts/webhook';

describe('parseWebhookEnv', () => {
  it('has defaults for everything', () => {
    const env = parseWebhookEnv({});
    expect(env).toMatchObject({ WEBHOOK_PORT: 8443, METRICS_PORT: 9090, SYSTEM_NAMESPACE: 'kpa-system', CONFIG_SOURCE: 'kubernetes', QUEUE_PROXY_IMAGE: 'kpa-ts/queue-proxy:dev' });
    expect(injectionConfigFromEnv(env)).toEqual({
      image: 'kpa-ts/queue-proxy:dev',
      revisionTimeoutSeconds: 300,
      resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    });
  });

  it('passes the bus settings through to the injected queue-proxy', () => {
    const cfg = injectionConfigFromEnv(parseWebhookEnv({ REDIS_URL: 'redis://r:6379', KPA_PREFIX: 't1:', STATS_SHARDS: '4', QUEUE_PROXY_CPU_LIMIT: '1', QUEUE_PROXY_IMAGE_PULL_POLICY: 'Never' }));
    expect(cfg).toMatchObject({ redisUrl: 'redis://r:6379', redisKeyPrefix: 't1:', statsShards: 4, imagePullPolicy: 'Never', resources: { limits: { cpu: '1', memory: '256Mi' } } });
  });

  it.each([
    [{ WEBHOOK_PORT: '70000' }, 'WEBHOOK_PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ QUEUE_PROXY_MEMORY_LIMIT: 'lots' }, 'QUEUE_PROXY_MEMORY_LIMIT'],
    [{ CONFIG_SOURCE: 'etcd' }, 'CONFIG_SOURCE'],
    [{ TLS_CERT_FILE: '/c' }, 'TLS_KEY_FILE'],
  ])('rejects %j naming %s', (vars, name) => {
    let err: unknown;
    try {
      parseWebhookEnv(vars);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).code).toBe('WEBHOOK_ENV_INVALID');
    expect((err as Error).message).toContain(name);
  });
});

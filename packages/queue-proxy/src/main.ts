import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { StatsSink } from '@kpa-ts/bus';
import { parseEnv, type QueueProxyConfig } from './env.js';
import { EnvError } from './errors.js';
import { createQueueProxy } from './queue-proxy.js';
import { createLogStatsSink } from './stats-sink.js';

function loadConfig(): QueueProxyConfig {
  try {
    return parseEnv(process.env, { hostname: hostname() });
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`queue-proxy: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

/** The bus (and ioredis with it) is loaded only when there is a Redis to talk to. */
async function createSink(config: QueueProxyConfig, registry: Registry, logger: Logger): Promise<StatsSink> {
  if (config.redisUrl === undefined) return createLogStatsSink(logger);
  const { createStatsPublisher } = await import('@kpa-ts/bus');
  return createStatsPublisher({ redisUrl: config.redisUrl, shards: config.statsShards, prefix: config.redisKeyPrefix, registry, logger });
}

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ name: 'queue-proxy', level: config.logLevel, base: { ns: config.namespace, rev: config.revision, pod: config.pod } });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sink = await createSink(config, registry, logger);
  const qp = createQueueProxy({ config, sink, logger, registry });
  await qp.listen();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  process.on('SIGTERM', () => logger.warn('SIGTERM again: already draining'));
  await qp.drain();
  process.exit(0);
}

run().catch((err: unknown) => {
  console.error('queue-proxy: fatal', err);
  process.exit(1);
});

#!/usr/bin/env node
// The activator binary: parse env with zod, wire topology + bus + gateway, run, shut down cleanly.
import { readFile } from 'node:fs/promises';
import { loadKubeConfig } from '@kpa-ts/kube';
import { createRuntimeClient } from '@kpa-ts/runtime-local';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createActivator } from './activator.js';
import { connectBus } from './bus-wiring.js';
import { parseActivatorEnv, type ActivatorEnv } from './env.js';
import { ActivatorError } from './errors.js';
import { createKubernetesTopology } from './kubernetes-topology.js';
import { topologyFromJson } from './static-topology.js';
import type { TopologySource } from './topology.js';

async function loadTopology(env: ActivatorEnv, logger: Logger): Promise<TopologySource> {
  // TOPOLOGY=local: revisions and pods from the local runtime's watch (its client's adapter).
  if (env.TOPOLOGY === 'local') return createRuntimeClient(env.RUNTIME_URL as string, { logger: logger.child({ component: 'runtime-client' }) }).topologySource();
  // TOPOLOGY=kubernetes: Deployments of our class (revisions) and their Pods (endpoints), no Services.
  if (env.TOPOLOGY === 'kubernetes') {
    return createKubernetesTopology({ kubeConfig: loadKubeConfig(env.KUBECONFIG), labelSelector: env.POD_LABEL_SELECTOR, logger, ...(env.WATCH_NAMESPACE === undefined ? {} : { namespace: env.WATCH_NAMESPACE }) });
  }
  const file = env.TOPOLOGY_FILE as string;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ActivatorError('ACT_CONFIG', `TOPOLOGY_FILE=${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return topologyFromJson(json, `TOPOLOGY_FILE=${file}`);
}

async function run(): Promise<void> {
  const env = parseActivatorEnv(process.env);
  const logger = pino({ level: env.LOG_LEVEL, base: { component: 'activator', name: env.ACTIVATOR_NAME } });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const topology = await loadTopology(env, logger);
  const bus = env.REDIS_URL ? connectBus({ redisUrl: env.REDIS_URL, prefix: env.KPA_PREFIX, shards: env.STATS_SHARDS, registry, logger, syncTimeoutMs: env.DECISIONS_START_TIMEOUT_MS }) : undefined;
  if (!bus) logger.warn('REDIS_URL is not set: no stats, no pokes, no decisions (every revision stays in Proxy mode)');
  const activator = createActivator({
    name: env.ACTIVATOR_NAME,
    host: env.LISTEN_HOST,
    port: env.PORT,
    adminHost: env.ADMIN_HOST,
    adminPort: env.ADMIN_PORT,
    domain: env.DOMAIN,
    queueDepth: env.QUEUE_DEPTH,
    queueTimeoutMs: env.QUEUE_TIMEOUT_MS,
    defaultTimeoutSeconds: env.REVISION_TIMEOUT_SECONDS,
    maxAttempts: env.RETRY_ATTEMPTS,
    retryBodyMaxBytes: env.RETRY_BODY_MAX_BYTES,
    statsIntervalMs: env.STATS_INTERVAL_MS,
    pokeIntervalMs: env.POKE_INTERVAL_MS,
    activatorIndex: env.ACTIVATOR_INDEX,
    activatorReplicas: env.ACTIVATOR_REPLICAS,
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    decisionsStartTimeoutMs: env.DECISIONS_START_TIMEOUT_MS,
    topology,
    ...(bus ? { stats: bus.stats, pokes: bus.pokes, decisions: bus.decisions } : {}),
    registry,
    logger,
  });
  await activator.start();

  // Shutdown sequencing: readiness off → delay (still serving) → stop accepting + drain → bus.
  await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutting down: readiness off, draining');
  await activator.close({ drainDelayMs: env.DRAIN_DELAY_MS });
  await bus?.close();
  logger.info('stopped');
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);

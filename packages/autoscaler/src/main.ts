#!/usr/bin/env node
// The autoscaler binary: env (zod) → config file watch, backend, bus ports, service, admin port.
// SIGTERM/SIGINT: stop ticking, release the leases (fenced), close the bus, exit 0.
import { loadKubeConfig } from '@kpa-ts/kube';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAdminServer } from './admin-server.js';
import { createAutoscaler } from './autoscaler.js';
import { createLocalBackend, createMemoryBackendFromFile } from './backends.js';
import { createKubernetesBackend } from './kubernetes-backend.js';
import { createKubernetesConfigWatcher, type KubernetesConfigWatcher } from './kubernetes-config.js';
import { createBusPorts } from './bus-ports.js';
import { ConfigReloader } from './config-reloader.js';
import { createConfigWatcher, type ConfigWatcher } from './config-watcher.js';
import { parseAutoscalerEnv } from './env.js';
import { errorText } from './errors.js';

async function run(): Promise<void> {
  const env = parseAutoscalerEnv(process.env);
  const logger = pino({ level: env.LOG_LEVEL, base: { component: 'autoscaler', name: env.AUTOSCALER_NAME } });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const kubeConfig = env.BACKEND === 'kubernetes' ? loadKubeConfig(env.KUBECONFIG) : undefined;
  // With BACKEND=kubernetes and no CONFIG_FILE, config-autoscaler is the ConfigMap in SYSTEM_NAMESPACE.
  const configMapSource = kubeConfig !== undefined && env.CONFIG_FILE === undefined;
  // The first load of the file happens in watcher.start(), after the service exists.
  const reloader = new ConfigReloader({ apply: (c) => autoscaler.applyConfig(c), logger, registry, source: configMapSource ? `configmap ${env.SYSTEM_NAMESPACE}/config-autoscaler` : (env.CONFIG_FILE ?? '(none)') });
  let watcher: ConfigWatcher | undefined;
  let kubeWatcher: KubernetesConfigWatcher | undefined;
  if (env.CONFIG_FILE !== undefined) {
    watcher = createConfigWatcher({ file: env.CONFIG_FILE, reloader, logger, pollIntervalMs: env.CONFIG_POLL_MS });
  } else if (configMapSource) {
    kubeWatcher = createKubernetesConfigWatcher({ kubeConfig, namespace: env.SYSTEM_NAMESPACE, reloader, logger, instance: env.AUTOSCALER_NAME });
  } else {
    reloader.load(undefined);
  }

  const backend =
    env.BACKEND === 'local'
      ? createLocalBackend(env.RUNTIME_URL as string, logger)
      : kubeConfig !== undefined
        ? createKubernetesBackend({ kubeConfig, namespaces: env.WATCH_NAMESPACES, logger, registry })
        : await createMemoryBackendFromFile(env.MEMORY_REVISIONS_FILE);
  const ports = createBusPorts({ redisUrl: env.REDIS_URL, prefix: env.KPA_PREFIX, replicaId: env.AUTOSCALER_NAME, shardCount: env.STATS_SHARDS, leaseTtlMs: env.LEASE_TTL_MS, registry, logger });
  const autoscaler = createAutoscaler({
    name: env.AUTOSCALER_NAME,
    backend,
    ...ports,
    shardCount: env.STATS_SHARDS,
    config: reloader.current,
    registry,
    logger,
    tickIntervalMs: env.TICK_INTERVAL_MS,
    refreshIntervalMs: env.DECISION_REFRESH_MS,
  });
  await watcher?.start();
  await kubeWatcher?.start();
  const admin = createAdminServer({ host: env.ADMIN_HOST, port: env.ADMIN_PORT, registry, healthy: () => autoscaler.healthy });
  const adminPort = await admin.listen();
  await autoscaler.start();
  logger.info({ adminPort, backend: env.BACKEND }, 'autoscaler running');

  await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutting down: ticks stop, leases released');
  watcher?.stop();
  await kubeWatcher?.stop();
  await autoscaler.stop();
  await admin.close();
  logger.info('stopped');
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`kpa-autoscaler: ${errorText(err)}`);
    process.exit(1);
  },
);

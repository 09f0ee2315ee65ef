#!/usr/bin/env node
// node packages/webhook/dist/main.js — env documented in env.ts and the README.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { generateTlsMaterial, readTlsMaterial, type TlsMaterial } from './certs.js';
import { staticConfigSource, watchConfigSource } from './config-source.js';
import { injectionConfigFromEnv, parseWebhookEnv, type WebhookEnv } from './env.js';
import { WebhookError } from './errors.js';
import { startWebhookServer } from './server.js';

const CERT_POLL_MS = 30_000;

function loadEnv(): WebhookEnv {
  try {
    return parseWebhookEnv(process.env);
  } catch (err) {
    if (!(err instanceof WebhookError)) throw err;
    console.error(`webhook: ${err.message}`);
    process.exit(1);
  }
}

async function loadTls(env: WebhookEnv): Promise<TlsMaterial> {
  if (env.TLS_CERT_FILE !== undefined && env.TLS_KEY_FILE !== undefined) return readTlsMaterial(env.TLS_CERT_FILE, env.TLS_KEY_FILE);
  const tls = await generateTlsMaterial({ hosts: env.TLS_HOSTS.split(',').map((h) => h.trim()).filter(Boolean) });
  if (env.TLS_CA_OUT_FILE !== undefined) await writeFile(env.TLS_CA_OUT_FILE, tls.ca, { mode: 0o644 });
  return tls;
}

function startMetricsServer(port: number, registry: Registry): { close(): void } | undefined {
  if (port === 0) return undefined;
  const server = createServer((req, res) => {
    if (req.url === '/metrics') void registry.metrics().then((t) => res.writeHead(200, { 'content-type': registry.contentType }).end(t));
    else if (req.url === '/healthz') res.writeHead(200).end('ok\n');
    else res.writeHead(404).end('not found\n');
  });
  server.listen(port, '0.0.0.0');
  return { close: () => server.close() };
}

async function run(): Promise<void> {
  const env = loadEnv();
  const logger = pino({ name: 'webhook', level: env.LOG_LEVEL });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let kubeConfig: KubeConfig | undefined;
  if (env.CONFIG_SOURCE === 'kubernetes') {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
  }
  const configSource =
    kubeConfig === undefined ? staticConfigSource() : watchConfigSource({ kubeConfig, namespace: env.SYSTEM_NAMESPACE, logger });
  let tls = await loadTls(env);
  const server = await startWebhookServer({
    tls,
    host: env.WEBHOOK_HOST,
    port: env.WEBHOOK_PORT,
    injection: injectionConfigFromEnv(env),
    autoscalerConfig: () => configSource.current(),
    systemNamespace: env.SYSTEM_NAMESPACE,
    registry,
    logger,
  });
  const metrics = startMetricsServer(env.METRICS_PORT, registry);
  logger.info({ url: server.url, generatedCa: tls.ca !== undefined }, 'webhook listening');
  if (tls.ca !== undefined && env.TLS_CA_OUT_FILE === undefined) console.log(tls.ca);
  // A mounted Secret changes in place when it is rotated: pick the new certificate up.
  const poll =
    env.TLS_CERT_FILE === undefined
      ? undefined
      : setInterval(() => {
          void loadTls(env).then((next) => {
            if (next.cert === tls.cert && next.key === tls.key) return;
            tls = next;
            server.setTls(next);
            logger.info('serving certificate reloaded');
          }, (err: unknown) => logger.warn({ err: String(err) }, 'serving certificate reload failed'));
        }, CERT_POLL_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  clearInterval(poll);
  metrics?.close();
  await Promise.all([server.close(), configSource.stop()]);
  process.exit(0);
}

run().catch((err: unknown) => {
  console.error('webhook: fatal', err);
  process.exit(1);
});

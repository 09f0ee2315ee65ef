#!/usr/bin/env node
// The local runtime as a process with an HTTP API: parse env, start the runtime and the server,
// print `{"url": ...}` on stdout, stop everything on SIGTERM/SIGINT. Nothing else.
import { pino } from 'pino';
import { createLocalRuntime } from './runtime.js';
import { parseRuntimeEnv, type RuntimeEnv } from './server-env.js';
import { startRuntimeServer } from './server.js';

function loadEnv(): RuntimeEnv {
  try {
    return parseRuntimeEnv(process.env);
  } catch (err) {
    console.error(`runtime-local: ${(err as Error).message}`);
    process.exit(1);
  }
}

async function run(): Promise<void> {
  const env = loadEnv();
  const logger = pino({ name: 'runtime-local', level: env.LOG_LEVEL }, pino.destination(2));
  const runtime = createLocalRuntime({
    queueProxy: { command: process.execPath, args: [env.QUEUE_PROXY_MAIN], ...(env.QUEUE_PROXY_ENV ? { env: env.QUEUE_PROXY_ENV } : {}) },
    ipRange: env.IP_RANGE,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.LOG_DIR ? { logDir: env.LOG_DIR } : {}),
    probeIntervalMs: env.PROBE_INTERVAL_MS,
    terminationGraceMs: env.TERMINATION_GRACE_MS,
    logger,
  });
  const server = await startRuntimeServer({ runtime, host: env.LISTEN.host, port: env.LISTEN.port, heartbeatMs: env.HEARTBEAT_MS, logger });
  process.stdout.write(`${JSON.stringify({ url: server.url, logDir: runtime.logDir, pid: process.pid })}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal }, 'stopping: API, then every pod');
  await server.close();
  await runtime.close();
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`runtime-local: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

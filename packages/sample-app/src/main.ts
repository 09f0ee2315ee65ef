#!/usr/bin/env node
import { hostname } from 'node:os';
import { parseSampleAppEnv, SampleAppEnvError } from './env.js';
import { startSampleApp } from './server.js';

// node packages/sample-app/dist/main.js — env documented in env.ts and the README.
async function run(): Promise<void> {
  let cfg;
  try {
    cfg = parseSampleAppEnv(process.env, hostname());
  } catch (err) {
    if (!(err instanceof SampleAppEnvError)) throw err;
    console.error(`sample-app: ${err.message}`);
    process.exit(1);
  }
  const log = (msg: string, fields: Record<string, unknown> = {}): void =>
    console.log(JSON.stringify({ time: new Date().toISOString(), pod: cfg.podName, msg, ...fields }));
  const app = await startSampleApp(cfg, {
    random: Math.random,
    onError: (err) => log('handler error', { err: String(err) }),
    ...(cfg.logRequests ? { onRequest: (method?: string, url?: string) => log('request', { method, url }) } : {}),
  });
  log('listening', { host: app.address.address, port: app.address.port });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log('draining', { signal, inFlight: app.inFlight });
    void app.drain().then(() => {
      log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

run().catch((err: unknown) => {
  console.error('sample-app: failed:', err);
  process.exit(1);
});

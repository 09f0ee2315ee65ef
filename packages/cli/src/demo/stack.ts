// The whole kpa-ts stack as local processes, like a tiny cluster: redis-server, the runtime API (pods
// on 127.x addresses), N autoscaler replicas (BACKEND=local) and the activator (TOPOLOGY=local).
// Used by `kpa demo`, the e2e tests and the cold-start bench.
import { createRuntimeClient, type RuntimeClient } from '@kpa-ts/runtime-local';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, httpGet, redisPing, waitUntil } from './net.js';
import { Supervisor, type ManagedProcess } from './processes.js';

/** The repo root, from packages/cli/{src,dist}/demo/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const BINARIES = {
  runtime: join(REPO_ROOT, 'packages/runtime-local/dist/main.js'),
  autoscaler: join(REPO_ROOT, 'packages/autoscaler/dist/main.js'),
  activator: join(REPO_ROOT, 'packages/activator/dist/main.js'),
  queueProxy: join(REPO_ROOT, 'packages/queue-proxy/dist/main.js'),
  sampleApp: join(REPO_ROOT, 'packages/sample-app/dist/main.js'),
} as const;

/** Knative's config-autoscaler defaults (kpa.md b), as ConfigMap strings. */
export const KNATIVE_DEFAULTS: Readonly<Record<string, string>> = {
  'enable-scale-to-zero': 'true',
  'allow-zero-initial-scale': 'false',
  'initial-scale': '1',
  'min-scale': '0',
  'max-scale': '0',
  'max-scale-limit': '0',
  'max-scale-up-rate': '1000',
  'max-scale-down-rate': '2',
  'container-concurrency-target-percentage': '70',
  'container-concurrency-target-default': '100',
  'requests-per-second-target-default': '200',
  'target-burst-capacity': '211',
  'activator-capacity': '100',
  'stable-window': '60s',
  'panic-window-percentage': '10',
  'panic-threshold-percentage': '200',
  'scale-to-zero-grace-period': '30s',
  'scale-to-zero-pod-retention-period': '0s',
  'scale-down-delay': '0s',
};

export interface StackOptions {
  /** Every process logs here (`<name>.log`; pods under `pods/`). */
  logDir: string;
  /** Autoscaler replicas. Default 1. */
  autoscalers?: number;
  /** config-autoscaler data over KNATIVE_DEFAULTS. */
  config?: Record<string, string>;
  /** Pod addresses. Default a random /24 in 127.100–149.x.x. */
  ipRange?: string;
  /** Shard lease TTL of the autoscalers (a killed replica's shards move after it). */
  leaseTtlMs?: number;
  /** Pods: SIGTERM → SIGKILL grace. Default 10 000. */
  terminationGraceMs?: number;
  /** Extra env per component. */
  env?: { runtime?: Record<string, string>; autoscaler?: Record<string, string>; activator?: Record<string, string> };
  signal?: AbortSignal;
  /** Progress lines ("starting redis-server ..."). */
  log?: (line: string) => void;
}

export interface Stack {
  readonly logDir: string;
  readonly configFile: string;
  readonly redisUrl: string;
  readonly runtimeUrl: string;
  /** The gateway: send requests here with Host `<revision>.<namespace>.kpa.local`. */
  readonly activatorUrl: string;
  readonly activatorAdminUrl: string;
  readonly autoscalerAdminUrls: string[];
  readonly client: RuntimeClient;
  readonly processes: { redis: ManagedProcess; runtime: ManagedProcess; autoscalers: ManagedProcess[]; activator: ManagedProcess };
  /** Every child, for leak checks. */
  readonly supervisor: Supervisor;
  /** Stops everything (activator, autoscalers, runtime and its pods, redis) and waits. */
  stop(graceMs?: number): Promise<void>;
}

function randomIpRange(): string {
  return `127.${100 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
}

function writeConfig(dir: string, data: Record<string, string>): string {
  const file = join(dir, 'config-autoscaler.yaml');
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  writeFileSync(file, ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: config-autoscaler', '  namespace: kpa-system', 'data:', ...lines, ''].join('\n'));
  return file;
}

const gone = (p: ManagedProcess) => (): string | undefined => (p.alive ? undefined : `${p.name} exited; its log (${p.logFile}) ends:\n${p.tail()}`);

async function startRedis(sup: Supervisor, o: StackOptions): Promise<{ proc: ManagedProcess; url: string }> {
  const port = await freePort();
  const dir = join(o.logDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const proc = sup.spawn({ name: 'redis-server', command: process.env['REDIS_SERVER_BIN'] ?? 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], env: process.env });
  await waitUntil(() => redisPing(port), { timeoutMs: 10_000, what: `redis-server on port ${port} (is redis-server installed?)`, fatal: gone(proc), ...(o.signal ? { signal: o.signal } : {}) });
  return { proc, url: `redis://127.0.0.1:${port}` };
}

async function healthy(url: string): Promise<boolean> {
  return (await httpGet(url, { timeoutMs: 1000 })).status === 200;
}

async function startNode(sup: Supervisor, o: StackOptions, name: string, main: string, env: Record<string, string>, readyUrl: string): Promise<ManagedProcess> {
  o.log?.(`starting ${name}`);
  const proc = sup.spawn({ name, command: process.execPath, args: [main], env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  await waitUntil(() => healthy(readyUrl), { timeoutMs: 20_000, what: `${name} ready at ${readyUrl}`, fatal: gone(proc), ...(o.signal ? { signal: o.signal } : {}) });
  return proc;
}

async function startAutoscalers(sup: Supervisor, o: StackOptions, common: Record<string, string>): Promise<{ procs: ManagedProcess[]; urls: string[] }> {
  const procs: ManagedProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < (o.autoscalers ?? 1); i += 1) {
    const adminPort = await freePort();
    const env = { ...common, AUTOSCALER_NAME: `autoscaler-${i}`, ADMIN_HOST: '127.0.0.1', ADMIN_PORT: String(adminPort), ...(o.leaseTtlMs ? { LEASE_TTL_MS: String(o.leaseTtlMs) } : {}), ...o.env?.autoscaler };
    const url = `http://127.0.0.1:${adminPort}`;
    procs.push(await startNode(sup, o, `autoscaler-${i}`, BINARIES.autoscaler, env, `${url}/healthz`));
    urls.push(url);
  }
  return { procs, urls };
}

/** Starts every component and waits until each answers; on failure stops what was started. */
export async function startStack(o: StackOptions): Promise<Stack> {
  mkdirSync(o.logDir, { recursive: true });
  const sup = new Supervisor(o.logDir);
  try {
    const configFile = writeConfig(o.logDir, { ...KNATIVE_DEFAULTS, ...o.config });
    o.log?.('starting redis-server');
    const redis = await startRedis(sup, o);
    const runtimePort = await freePort();
    const runtimeUrl = `http://127.0.0.1:${runtimePort}`;
    const runtime = await startNode(sup, o, 'runtime', BINARIES.runtime, {
      LISTEN: `127.0.0.1:${runtimePort}`, REDIS_URL: redis.url, IP_RANGE: o.ipRange ?? randomIpRange(), LOG_DIR: join(o.logDir, 'pods'),
      QUEUE_PROXY_MAIN: BINARIES.queueProxy, QUEUE_PROXY_ENV: JSON.stringify({ LOG_LEVEL: 'warn' }), TERMINATION_GRACE_MS: String(o.terminationGraceMs ?? 10_000), ...o.env?.runtime,
    }, `${runtimeUrl}/healthz`);
    const common = { REDIS_URL: redis.url, RUNTIME_URL: runtimeUrl };
    const as = await startAutoscalers(sup, o, { ...common, BACKEND: 'local', CONFIG_FILE: configFile });
    const [port, adminPort] = [await freePort(), await freePort()];
    const activatorAdminUrl = `http://127.0.0.1:${adminPort}`;
    const activator = await startNode(sup, o, 'activator', BINARIES.activator, {
      ...common, TOPOLOGY: 'local', ACTIVATOR_NAME: 'activator-0', LISTEN_HOST: '127.0.0.1', PORT: String(port), ADMIN_HOST: '127.0.0.1', ADMIN_PORT: String(adminPort), DRAIN_TIMEOUT_MS: '5000', ...o.env?.activator,
    }, `${activatorAdminUrl}/readyz`);
    const client = createRuntimeClient(runtimeUrl);
    // Which process is which, for a person debugging and for leak checks.
    writeFileSync(join(o.logDir, 'pids.json'), `${JSON.stringify({ redis: redis.proc.pid, runtime: runtime.pid, autoscalers: as.procs.map((p) => p.pid), activator: activator.pid })}\n`);
    return {
      logDir: o.logDir, configFile, redisUrl: redis.url, runtimeUrl, activatorUrl: `http://127.0.0.1:${port}`, activatorAdminUrl, autoscalerAdminUrls: as.urls, client,
      processes: { redis: redis.proc, runtime, autoscalers: as.procs, activator }, supervisor: sup,
      stop: async (graceMs = 15_000) => {
        client.close();
        await sup.stopAll(graceMs);
      },
    };
  } catch (err) {
    await sup.stopAll(5_000);
    throw err;
  }
}

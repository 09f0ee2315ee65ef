// Helpers for the queue-proxy's integration tests: a tiny upstream, an in-process queue-proxy on
// free loopback ports, and a small HTTP client. Not a test file (no .test.ts suffix).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Agent, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { StatRecord } from '@kpa-ts/bus';
import { parseEnv, type QueueProxyConfig } from '../src/env.js';
import { createQueueProxy, type QueueProxy } from '../src/queue-proxy.js';
import { createMemoryStatsSink } from '../src/stats-sink.js';

export const HOST = '127.0.0.1';
export const MAIN_JS = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Upstream {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startUpstream(handler: RequestListener, port = 0): Promise<Upstream> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen({ port, host: HOST }, () => r()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface TestProxy {
  qp: QueueProxy;
  port: number;
  metricsPort: number;
  stats: StatRecord[];
  registry: Registry;
  config: QueueProxyConfig;
  close(): Promise<void>;
}

/** An in-process queue-proxy on free ports in front of `userPort`; `env` overrides the defaults. */
export async function startProxy(userPort: number, env: Record<string, string> = {}, opts: { probe?: () => Promise<boolean>; statsIntervalMs?: number } = {}): Promise<TestProxy> {
  const config = parseEnv(
    {
      SERVING_NAMESPACE: 'test-ns',
      SERVING_REVISION: 'test-rev',
      SERVING_POD: 'test-pod',
      USER_PORT: String(userPort),
      QUEUE_DRAIN_GRACE_SECONDS: '0',
      QUEUE_DRAIN_TIMEOUT_SECONDS: '5',
      ...env,
    },
    { hostname: 'test-host' },
  );
  // Port 0: the OS picks free ports (no race with other suites).
  config.servingPort = 0 as number;
  config.metricsPort = 0 as number;
  const sink = createMemoryStatsSink();
  const registry = new Registry();
  const qp = createQueueProxy({
    config,
    sink,
    registry,
    logger: pino({ level: 'silent' }),
    ...(opts.probe ? { probe: opts.probe } : {}),
    ...(opts.statsIntervalMs !== undefined ? { statsIntervalMs: opts.statsIntervalMs } : {}),
  });
  const { serving, metrics } = await qp.listen();
  return { qp, port: serving.port, metricsPort: metrics.port, stats: sink.stats, registry, config, close: async () => void (await qp.drain()) };
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

export function httpRequest(
  port: number,
  opts: { path?: string; method?: string; headers?: Record<string, string> | string[]; body?: string; agent?: Agent | false; signal?: AbortSignal } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        agent: opts.agent ?? false,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Tracks the upstream's requests in flight and the most it ever saw. */
export function inFlightCounter(): { enter(): void; leave(): void; readonly now: number; readonly max: number; readonly total: number } {
  let now = 0;
  let max = 0;
  let total = 0;
  return {
    enter: () => {
      now += 1;
      total += 1;
      max = Math.max(max, now);
    },
    leave: () => void (now -= 1),
    get now() {
      return now;
    },
    get max() {
      return max;
    },
    get total() {
      return total;
    },
  };
}

export interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node dist/main.js` with `env` (on top of PATH only). */
export function spawnQueueProxy(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [MAIN_JS], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, output: () => out, exited };
}

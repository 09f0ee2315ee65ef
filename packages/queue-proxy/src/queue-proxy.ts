import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StatsSink } from '@kpa-ts/bus';
import { createAdminServer } from './admin-server.js';
import { Breaker } from './breaker.js';
import { systemClock, type Clock } from './clock.js';
import type { QueueProxyConfig } from './env.js';
import { createQueueProxyMetrics, type QueueProxyMetrics } from './metrics.js';
import { probeOnce } from './probe.js';
import { createRequestHandler } from './proxy-handler.js';
import { Readiness } from './readiness.js';
import { RequestStats } from './request-stats.js';
import { createStatsReporter, type StatsReporter } from './stats-reporter.js';
import { createUpgradeHandler, type UpgradeContext } from './upgrade-handler.js';

export interface QueueProxyDeps {
  config: QueueProxyConfig;
  sink: StatsSink;
  logger: Logger;
  registry: Registry;
  clock?: Clock;
  /** Replaces the probe of SERVING_READINESS_PROBE (tests). */
  probe?: () => Promise<boolean>;
  /** Stats period; Knative's is 1 s. */
  statsIntervalMs?: number;
}

export interface DrainResult {
  /** Requests (and upgraded connections) still in flight at the deadline, cut off. */
  forced: number;
  elapsedMs: number;
}

export interface QueueProxy {
  readonly readiness: Readiness;
  readonly stats: RequestStats;
  readonly breaker: Breaker | undefined;
  readonly reporter: StatsReporter;
  /** Binds the serving and metrics ports, starts probing and reporting. */
  listen(): Promise<{ serving: AddressInfo; metrics: AddressInfo }>;
  /** The SIGTERM sequence (README "Drain"); resolves once everything is stopped. */
  drain(): Promise<DrainResult>;
}

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Resolves `true` when `p` settles before `ms`, `false` when the time ran out first. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(0, ms))));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Core {
  stats: RequestStats;
  breaker: Breaker | undefined;
  readiness: Readiness;
  metrics: QueueProxyMetrics;
  reporter: StatsReporter;
}

/** The pure-ish parts: request stats, breaker, readiness, metrics and the per-second reporter. */
function createCore(deps: QueueProxyDeps, clock: Clock): Core {
  const { config, logger } = deps;
  const startedAtMs = clock.monotonicMs();
  const stats = new RequestStats(startedAtMs);
  const breaker = config.containerConcurrency > 0 ? new Breaker({ capacity: config.containerConcurrency }) : undefined;
  const p = config.readinessProbe;
  const readiness = new Readiness({
    probe: deps.probe ?? (() => probeOnce(p.target, p.timeoutMs)),
    periodMs: p.periodMs,
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
    logger,
  });
  const identity = { namespace: config.namespace, revision: config.revision, pod: config.pod };
  const metrics = createQueueProxyMetrics(deps.registry, identity, { breaker, inFlight: () => stats.concurrency });
  const reporter = createStatsReporter({
    stats,
    sink: deps.sink,
    clock,
    identity: { ns: config.namespace, rev: config.revision, pod: config.pod },
    startedAtMs,
    ...(deps.statsIntervalMs !== undefined ? { intervalMs: deps.statsIntervalMs } : {}),
    onReport: (report, stat) => metrics.report(report, stat),
  });
  return { stats, breaker, readiness, metrics, reporter };
}

/** Resolves waiters whenever the last request in flight is done. */
class IdleWaiters {
  #waiters: Array<() => void> = [];
  readonly #inFlight: () => number;

  constructor(inFlight: () => number) {
    this.#inFlight = inFlight;
  }

  readonly notify = (): void => {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  };

  whenIdle(): Promise<void> {
    return this.#inFlight() === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

function createServingServer(ctx: UpgradeContext): Server {
  // requestTimeout 0: a long upload is the revision timeout's business, not Node's 300 s default.
  const serving = createServer({ requestTimeout: 0, noDelay: true }, createRequestHandler(ctx));
  serving.on('upgrade', createUpgradeHandler(ctx));
  serving.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return serving;
}

interface DrainParts {
  deps: QueueProxyDeps;
  core: Core;
  serving: Server;
  admin: Server;
  agent: Agent;
  sockets: Set<Duplex>;
  idle: IdleWaiters;
  startDraining: () => void;
}

/** The SIGTERM sequence, on real time (README "Drain"). */
async function drainSequence(x: DrainParts): Promise<DrainResult> {
  const { config, logger } = x.deps;
  const { stats, reporter } = x.core;
  const t0 = performance.now();
  const left = (): number => t0 + config.drainTimeoutMs - performance.now();
  x.startDraining();
  logger.info({ graceMs: config.drainGraceMs, timeoutMs: config.drainTimeoutMs, inFlight: stats.concurrency }, 'draining: unready, still serving');
  await sleep(Math.min(config.drainGraceMs, left()));
  const closed = new Promise<void>((r) => x.serving.close(() => r()));
  logger.info({ inFlight: stats.concurrency }, 'draining: stopped accepting, waiting for requests in flight');
  const drained = await within(x.idle.whenIdle(), left());
  const forced = drained ? 0 : stats.concurrency;
  if (!drained) {
    logger.warn({ forced }, 'drain deadline reached: closing the connections left');
    x.serving.closeAllConnections();
    for (const s of x.sockets) s.destroy();
  }
  await within(closed, 1000);
  reporter.stop();
  reporter.tick(); // the last, partial period
  await within(x.deps.sink.close(), Math.max(250, left()));
  x.admin.closeAllConnections();
  await within(new Promise<void>((r) => x.admin.close(() => r())), 1000);
  x.agent.destroy();
  const elapsedMs = performance.now() - t0;
  logger.info({ forced, elapsedMs }, 'drained');
  return { forced, elapsedMs };
}

/** Wires the proxy, breaker, stats, readiness and metrics of one pod's queue-proxy. */
export function createQueueProxy(deps: QueueProxyDeps): QueueProxy {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const core = createCore(deps, clock);
  const agent = new Agent({ keepAlive: true, scheduling: 'lifo', noDelay: true });
  const idle = new IdleWaiters(() => core.stats.concurrency);
  const sockets = new Set<Duplex>();
  let draining = false;
  const ctx: UpgradeContext = {
    upstream: { host: config.userHost, port: config.userPort },
    upstreamHost: `${config.userHost}:${config.userPort}`,
    agent,
    breaker: core.breaker,
    stats: core.stats,
    clock,
    metrics: core.metrics,
    readiness: core.readiness,
    timeoutMs: config.revisionTimeoutMs,
    logger,
    draining: () => draining,
    onIdle: idle.notify,
    sockets,
  };
  const serving = createServingServer(ctx);
  const admin = createAdminServer(deps.registry, core.readiness);
  const startDraining = (): void => {
    draining = true;
    core.readiness.markDraining();
  };
  return {
    readiness: core.readiness,
    stats: core.stats,
    breaker: core.breaker,
    reporter: core.reporter,
    listen: async () => {
      const servingAddr = await listenOn(serving, config.servingPort, config.bindHost);
      const metricsAddr = await listenOn(admin, config.metricsPort, config.bindHost);
      core.readiness.start();
      core.reporter.start();
      logger.info({ serving: servingAddr, metrics: metricsAddr, containerConcurrency: config.containerConcurrency }, 'queue-proxy listening');
      return { serving: servingAddr, metrics: metricsAddr };
    },
    drain: () => drainSequence({ deps, core, serving, admin, agent, sockets, idle, startDraining }),
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer } from './admin.js';
import { defaultCapacityPolicy, type CapacityPolicy } from './capacity.js';
import { realClock, type Clock } from './clock.js';
import { ActivatorError } from './errors.js';
import { createUpstreamAgent } from './forward.js';
import { createGatewayHandler, type GatewayOptions } from './gateway.js';
import { LoadReporter } from './load-reporter.js';
import { createActivatorMetrics } from './metrics.js';
import type { DecisionFeed, PokeSink, StatsSink } from './ports.js';
import { Revisions } from './revisions.js';
import type { TopologySource } from './topology.js';
import { createUpgradeHandler } from './upgrade-handler.js';

/** After the drain timeout, how long the 503s to still-queued requests get to be written. */
const DRAIN_ANSWER_GRACE_MS = 1000;

export interface ActivatorOptions extends GatewayOptions {
  /** This replica's name: the `pod` of its stats and the `activator` of its pokes. */
  name: string;
  host: string;
  /** 0: any free port */
  port: number;
  adminHost: string;
  /** 0: any free port; undefined: no admin server */
  adminPort: number | undefined;
  queueDepth: number;
  statsIntervalMs: number;
  pokeIntervalMs: number;
  activatorIndex: number;
  activatorReplicas: number;
  /** How long shutdown waits for in-flight and queued requests. */
  drainTimeoutMs: number;
  /** How long start() waits for the decisions feed before serving anyway (Proxy by default). */
  decisionsStartTimeoutMs: number;
  topology: TopologySource;
  stats?: StatsSink;
  pokes?: PokeSink;
  decisions?: DecisionFeed;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  policy?: CapacityPolicy;
}

export interface Activator {
  /** Starts the topology, the decisions feed and both servers; resolves with the bound ports. */
  start(): Promise<{ port: number; adminPort: number | undefined }>;
  readonly revisions: Revisions;
  ready(): boolean;
  /** Readiness off, wait `drainDelayMs` still serving, stop accepting, drain, stop everything. */
  close(opts?: { drainDelayMs?: number }): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function createActivator(o: ActivatorOptions): Activator {
  const clock = o.clock ?? realClock;
  const log = o.logger;
  const metrics = createActivatorMetrics(o.registry);
  const revisions = new Revisions({ clock, queueDepth: o.queueDepth, policy: o.policy ?? defaultCapacityPolicy, activatorIndex: o.activatorIndex, activatorReplicas: o.activatorReplicas });
  metrics.setSnapshotSource(() => [...revisions.entries()].map(([, th]) => ({ namespace: th.info.namespace, revision: th.info.revision, queued: th.queued, ready: th.readyCount })));
  const reporter = new LoadReporter({ clock, activatorName: o.name, stats: o.stats, pokes: o.pokes, metrics, intervalMs: o.statsIntervalMs, pokeIntervalMs: o.pokeIntervalMs });
  const agent = createUpstreamAgent();
  let state: 'new' | 'ready' | 'draining' | 'closed' = 'new';
  let active = 0;
  const deps = { clock, revisions, reporter, metrics, agent, draining: () => state === 'draining' };
  const handler = createGatewayHandler(o, deps);
  const server = createServer((req, res) => {
    active += 1;
    res.once('close', () => (active -= 1));
    handler(req, res);
  });
  server.on('upgrade', createUpgradeHandler(o, deps));
  const admin = o.adminPort === undefined ? undefined : createAdminServer(o.registry, () => state === 'ready');

  const startDecisions = async (): Promise<void> => {
    if (!o.decisions) return;
    const started = o.decisions.start((d) => metrics.decisions.inc({ result: revisions.applyDecision(d) }));
    started.catch((err: unknown) => log.error({ err }, 'decisions feed failed to start; revisions stay in Proxy mode'));
    const timedOut = await Promise.race([started.then(() => false), new Promise<boolean>((r) => clock.setTimeout(() => r(true), o.decisionsStartTimeoutMs).unref?.())]);
    if (timedOut) log.warn({ timeoutMs: o.decisionsStartTimeoutMs }, 'decisions feed not ready; serving in Proxy mode until it is');
  };

  const settle = async (ms: number): Promise<void> => {
    const deadline = clock.now() + ms;
    while (active > 0 && clock.now() < deadline) await new Promise((r) => clock.setTimeout(() => r(undefined), 20));
  };
  const drain = async (): Promise<void> => {
    const closed = closeServer(server);
    server.closeIdleConnections();
    await settle(o.drainTimeoutMs);
    // Still waiting after the drain timeout: answer them 503, give the answers a moment to go out.
    revisions.closeAll(new ActivatorError('ACT_DRAINING', 'the activator is shutting down'));
    await settle(DRAIN_ANSWER_GRACE_MS);
    server.closeAllConnections();
    await closed;
  };

  return {
    revisions,
    ready: () => state === 'ready',
    async start() {
      await o.topology.start(revisions);
      await startDecisions().catch(() => undefined);
      const port = await listen(server, o.port, o.host);
      const adminPort = admin ? await listen(admin, o.adminPort ?? 0, o.adminHost) : undefined;
      reporter.start();
      state = 'ready';
      log.info({ port, adminPort, name: o.name }, 'activator listening');
      return { port, adminPort };
    },
    async close({ drainDelayMs = 0 } = {}) {
      if (state === 'closed' || state === 'draining') return;
      state = 'draining';
      if (drainDelayMs > 0) await new Promise((r) => clock.setTimeout(() => r(undefined), drainDelayMs));
      if (server.listening) await drain();
      reporter.tick();
      reporter.stop();
      await Promise.allSettled([o.decisions?.stop(), o.topology.stop()]);
      if (admin?.listening) {
        admin.closeAllConnections();
        await closeServer(admin);
      }
      await agent.destroy();
      state = 'closed';
    },
  };
}

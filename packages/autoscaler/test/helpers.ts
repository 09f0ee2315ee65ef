// Test harness: an autoscaler on the in-memory backend and bus, a manual clock, captured logs,
// and a load driver that publishes one queue-proxy stat per ready pod per second.
import type { DecisionRecord } from '@kpa-ts/bus';
import { DEFAULT_AUTOSCALER_CONFIG, type AutoscalerConfig } from '@kpa-ts/config';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import {
  createAutoscaler,
  createMemoryBackend,
  createMemoryBus,
  type Autoscaler,
  type ManagedRevision,
  type MemoryBackend,
  type MemoryBus,
  type MemoryReplicaPorts,
} from '@kpa-ts/autoscaler';

export const T0 = 1_700_000_000_000;
export const NS = 'default';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

export function manualClock(start = T0): { nowMs(): number; advance(ms: number): void; set(ms: number): void } {
  let now = start;
  return {
    nowMs: () => now,
    advance: (ms) => void (now += ms),
    set: (ms) => void (now = ms),
  };
}

export function revision(name: string, annotations: Record<string, string> = {}, containerConcurrency = 0): ManagedRevision {
  return { namespace: NS, revision: name, annotations, containerConcurrency };
}

/**
 * A decision as an earlier replica left it in the latest hash. Default: the revision was scaled to
 * zero (desired 0, activator in the path), as Knative's defaults publish it.
 */
export function persistedDecision(rev: string, fields: Partial<DecisionRecord> = {}): DecisionRecord {
  return { ns: NS, rev, ts: T0 - 60_000, desired: 0, ready: 0, ebc: -211, mode: 'proxy', numActivators: 2, podCapacity: 0, ...fields };
}

/** The value of a metric series (undefined when absent). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const hits = values.filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want));
  return hits.length === 0 ? undefined : hits.reduce((sum, v) => sum + v.value, 0);
}

export interface Replica {
  as: Autoscaler;
  ports: MemoryReplicaPorts;
  registry: Registry;
  lines: LogLine[];
}

export interface Harness {
  clock: ReturnType<typeof manualClock>;
  bus: MemoryBus;
  backend: MemoryBackend;
  shardCount: number;
  replica(name?: string, config?: AutoscalerConfig): Replica;
  /** The default replica (owns every shard once started). */
  main: Replica;
  start(): Promise<void>;
  /**
   * `seconds` seconds of load: every second the clock moves 1 s and every ready pod reports
   * load(t) / ready (ready = 0 with load: the activator reports it); a tick every 2 s.
   */
  run(rev: string, seconds: number, load: (second: number) => number, replica?: Replica): Promise<void>;
  stop(): Promise<void>;
}

export function makeHarness(opts: { config?: Partial<AutoscalerConfig>; shardCount?: number; autoReady?: boolean; refreshIntervalMs?: number } = {}): Harness {
  const clock = manualClock();
  const shardCount = opts.shardCount ?? 4;
  const bus = createMemoryBus(shardCount);
  const backend = createMemoryBackend({ autoReady: opts.autoReady ?? true });
  const all: Replica[] = [];
  const replica = (name = 'as-a', config?: AutoscalerConfig): Replica => {
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const ports = bus.replica();
    const as = createAutoscaler({
      name,
      backend,
      ...ports,
      shardCount,
      config: config ?? { ...DEFAULT_AUTOSCALER_CONFIG, ...opts.config },
      registry,
      logger,
      clock,
      tickIntervalMs: 0,
      ...(opts.refreshIntervalMs !== undefined ? { refreshIntervalMs: opts.refreshIntervalMs } : {}),
    });
    const r = { as, ports, registry, lines };
    all.push(r);
    return r;
  };
  const main = replica();
  let second = 0;
  return {
    clock,
    bus,
    backend,
    shardCount,
    replica,
    main,
    async start() {
      await main.as.start();
      main.ports.shards.set([...Array(shardCount).keys()]);
    },
    async run(rev, seconds, load, r = main) {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        second++;
        const ts = clock.nowMs();
        const ready = backend.get(NS, rev)?.ready ?? 0;
        const total = load(second);
        if (ready === 0 && total > 0) bus.publishStat({ ns: NS, rev, pod: 'activator-0', ts, conc: total, pconc: 0, reqs: total, preqs: 0, uptime: 100, src: 'act' });
        for (let p = 0; p < ready; p++) bus.publishStat({ ns: NS, rev, pod: `${rev}-pod-${p}`, ts, conc: total / ready, pconc: 0, reqs: total / ready, preqs: 0, uptime: 100, src: 'qp' });
        if (second % 2 === 0) await r.as.tick();
        await r.as.idle();
      }
    },
    async stop() {
      for (const r of all) await r.as.stop();
    },
  };
}

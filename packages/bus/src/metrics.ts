import { Counter, Gauge, Registry } from 'prom-client';

/** The bus's metrics, registered once per `Registry` and shared by every bus component using it. */
export interface BusMetrics {
  /** entries written to Redis, by stream kind (stats, poke, decisions) */
  readonly published: Counter<'kind'>;
  /** entries given up before reaching Redis, by kind and reason (buffer_full, redis_error, invalid, closed) */
  readonly dropped: Counter<'kind' | 'reason'>;
  /** valid entries handed to a handler, by kind */
  readonly consumed: Counter<'kind'>;
  /** entries that failed to decode, by kind and reason (bad_shape, missing_version, unknown_version, invalid_fields) */
  readonly malformed: Counter<'kind' | 'reason'>;
  /** handler calls that threw (the entry is still acknowledged), by kind */
  readonly handlerErrors: Counter<'kind'>;
  /** pending entries taken over from another consumer with XAUTOCLAIM, by kind */
  readonly reclaimed: Counter<'kind'>;
  readonly leaseGains: Counter;
  readonly leaseLosses: Counter;
  /** shards this process owns right now */
  readonly ownedShards: Gauge;
  /** reconnection attempts of ioredis clients, by client role */
  readonly reconnects: Counter<'client'>;
}

const cache = new WeakMap<Registry, BusMetrics>();

function create(registry: Registry): BusMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers });
  return {
    published: counter('kpa_bus_published_total', 'Entries written to Redis streams.', ['kind']),
    dropped: counter('kpa_bus_dropped_total', 'Entries dropped before reaching Redis.', ['kind', 'reason']),
    consumed: counter('kpa_bus_consumed_total', 'Valid entries delivered to a handler.', ['kind']),
    malformed: counter('kpa_bus_malformed_total', 'Entries that failed to decode (acknowledged and skipped).', ['kind', 'reason']),
    handlerErrors: counter('kpa_bus_handler_errors_total', 'Handler calls that threw.', ['kind']),
    reclaimed: counter('kpa_bus_reclaimed_total', 'Pending entries reclaimed from dead consumers (XAUTOCLAIM).', ['kind']),
    leaseGains: counter('kpa_bus_lease_gains_total', 'Shard leases acquired.', []),
    leaseLosses: counter('kpa_bus_lease_losses_total', 'Shard leases lost or released.', []),
    ownedShards: new Gauge({ name: 'kpa_bus_owned_shards', help: 'Stats shards owned by this process.', registers }),
    reconnects: counter('kpa_bus_redis_reconnects_total', 'Redis reconnection attempts.', ['client']),
  };
}

/** The bus metrics in `registry` (a private one when none is given), created on first use. */
export function busMetrics(registry: Registry = new Registry()): BusMetrics {
  let metrics = cache.get(registry);
  if (!metrics) {
    metrics = create(registry);
    cache.set(registry, metrics);
  }
  return metrics;
}

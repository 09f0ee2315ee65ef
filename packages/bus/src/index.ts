export { BusError, type BusErrorCode } from './errors.js';
export {
  STATS_SHARDS_DEFAULT,
  PROXIED_HEADER,
  PROXIED_HEADER_VALUE,
  statsStream,
  pokeStream,
  decisionsStream,
  decisionsLatestKey,
  revisionKey,
  shardLeaseKey,
  replicasKey,
} from './keys.js';
export { shardOf, fnv1a32 } from './shard.js';
export { VERSION_FIELD, type Codec, type DecodeResult, type EncodeResult, type MalformedReason } from './codec.js';
export { statCodec, pokeCodec, decisionCodec, type StatRecord, type PokeRecord, type DecisionRecord } from './records.js';
export { busMetrics, type BusMetrics } from './metrics.js';
export { RECONNECT_MIN_MS, RECONNECT_MAX_MS, reconnectDelayMs } from './redis.js';
export type { CommonOptions } from './options.js';
export { createStatsPublisher, type StatsSink, type StatsPublisher, type StatsPublisherOptions } from './stats-publisher.js';

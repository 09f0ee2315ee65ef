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
export { createStatsConsumer, STATS_GROUP_DEFAULT, type StatsConsumer, type StatsConsumerOptions } from './stats-consumer.js';
export { createGroupConsumer, type GroupConsumer, type GroupConsumerOptions } from './group-consumer.js';
export type { EntryContext, EntryHandler } from './entry-handling.js';
export {
  createDecisionPublisher,
  createDecisionWatcher,
  type DecisionPublisher,
  type DecisionPublisherOptions,
  type DecisionWatcher,
  type DecisionWatcherOptions,
  type DecisionContext,
} from './decisions.js';
export { createPokePublisher, createPokeReader, type PokePublisher, type PokePublisherOptions, type PokeReader, type PokeReaderOptions } from './poke.js';
export { createShardLeaser, type ShardLeaser, type ShardLeaserOptions, type ShardChange } from './shard-leaser.js';
export { compareStreamIds } from './stream-ids.js';

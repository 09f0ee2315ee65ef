import type { EntryHandler } from './entry-handling.js';
import { createGroupConsumer, type GroupConsumerOptions } from './group-consumer.js';
import { statsStream } from './keys.js';
import type { CommonOptions } from './options.js';
import { statCodec, type StatRecord } from './records.js';

/** The consumer group every autoscaler replica uses on the stats shards. */
export const STATS_GROUP_DEFAULT = 'kpa-autoscaler';

export interface StatsConsumerOptions extends CommonOptions {
  /** this replica's consumer name (unique per process, e.g. the pod name) */
  consumer: string;
  /** consumer group (default 'kpa-autoscaler') */
  group?: string;
  /** shards owned at start (default none); follow the ShardLeaser with setShards */
  shards?: readonly number[];
  handler: EntryHandler<StatRecord>;
  blockMs?: number;
  count?: number;
  claimMinIdleMs?: number;
  claimIntervalMs?: number;
  /** clock for the claim interval (default Date.now) */
  now?: () => number;
}

export interface StatsConsumer {
  start(): void;
  stop(): Promise<void>;
  /** Reads exactly these shards from the next read on. */
  setShards(shards: readonly number[]): void;
  readonly shards: readonly number[];
}

/**
 * Reads the stats shards this replica owns through the shared consumer group: what a previous
 * owner read but never acknowledged is reclaimed (XAUTOCLAIM) once idle for claimMinIdleMs.
 */
export function createStatsConsumer(options: StatsConsumerOptions): StatsConsumer {
  const prefix = options.prefix ?? '';
  let shards = [...new Set(options.shards ?? [])].sort((a, b) => a - b);
  const { shards: _s, prefix: _p, group, ...rest } = options;
  const groupOptions: GroupConsumerOptions<StatRecord> = {
    ...rest,
    codec: statCodec,
    group: group ?? STATS_GROUP_DEFAULT,
    streams: shards.map((s) => statsStream(s, prefix)),
  };
  const consumer = createGroupConsumer(groupOptions);
  return {
    start: () => consumer.start(),
    stop: () => consumer.stop(),
    setShards(next: readonly number[]): void {
      shards = [...new Set(next)].sort((a, b) => a - b);
      consumer.setStreams(shards.map((s) => statsStream(s, prefix)));
    },
    get shards() {
      return shards;
    },
  };
}

// The bus ports in memory, for tests: stats reach a replica only for the shards it reads, pokes
// reach every replica, decisions are kept (stream + latest, which every replica's history reads,
// like Redis's hash outliving a replica), shard ownership is set by hand.
import { revisionKey, shardOf, type DecisionRecord, type PokeRecord, type StatRecord } from '@kpa-ts/bus';
import { AutoscalerError } from './errors.js';
import type { DecisionHistory, DecisionSink, PokeFeed, ShardChange, ShardOwnership, StatsFeed } from './ports.js';

export interface MemoryBus {
  /** Delivers a stat to every started feed reading its shard (synchronously). */
  publishStat(stat: StatRecord): void;
  poke(poke: PokeRecord): void;
  /** A new replica's ports on this bus. */
  replica(): MemoryReplicaPorts;
  /** Puts a decision in the latest map only, as one an earlier replica left in Redis. */
  persist(decision: DecisionRecord): void;
  /** false: every history lookup rejects with AS_HISTORY_UNAVAILABLE (Redis not loaded). */
  setHistoryAvailable(available: boolean): void;
  /** Every decision published, in order, and the latest per `${ns}/${rev}`. */
  readonly decisions: readonly DecisionRecord[];
  readonly latest: ReadonlyMap<string, DecisionRecord>;
}

export interface MemoryShardOwnership extends ShardOwnership {
  /** Sets the owned shards (reports the change when started). */
  set(owned: readonly number[]): void;
  readonly owned: readonly number[];
  /** Whether stop() was called (it "releases" the leases). */
  readonly released: boolean;
}

export interface MemoryReplicaPorts {
  stats: StatsFeed;
  pokes: PokeFeed;
  decisions: DecisionSink;
  history: DecisionHistory;
  shards: MemoryShardOwnership;
}

export function createMemoryBus(shardCount: number): MemoryBus {
  const statFeeds = new Set<{ shards: Set<number>; handler: (s: StatRecord) => void }>();
  const pokeHandlers = new Set<(p: PokeRecord) => void>();
  const decisions: DecisionRecord[] = [];
  const latest = new Map<string, DecisionRecord>();
  let historyAvailable = true;

  const statsFeed = (): StatsFeed => {
    const feed = { shards: new Set<number>(), handler: (_s: StatRecord): void => undefined };
    return {
      start(handler) {
        feed.handler = handler;
        statFeeds.add(feed);
      },
      setShards(shards) {
        feed.shards = new Set(shards);
      },
      async stop() {
        statFeeds.delete(feed);
      },
    };
  };

  const pokeFeed = (): PokeFeed => {
    let registered: ((p: PokeRecord) => void) | undefined;
    return {
      start(handler) {
        registered = handler;
        pokeHandlers.add(handler);
      },
      async stop() {
        if (registered !== undefined) pokeHandlers.delete(registered);
      },
    };
  };

  const sink: DecisionSink = {
    publish(d) {
      decisions.push(d);
      latest.set(revisionKey(d.ns, d.rev), d);
    },
    async close() {},
  };

  const history: DecisionHistory = {
    start() {},
    whenSynced: async () => historyAvailable,
    async latest(ns, rev) {
      if (!historyAvailable) throw new AutoscalerError('AS_HISTORY_UNAVAILABLE', 'in-memory decision history made unavailable by the test');
      return latest.get(revisionKey(ns, rev));
    },
    async stop() {},
  };

  return {
    publishStat(stat) {
      const shard = shardOf(stat.ns, stat.rev, shardCount);
      for (const f of statFeeds) if (f.shards.has(shard)) f.handler(stat);
    },
    poke(p) {
      for (const h of pokeHandlers) h(p);
    },
    replica: () => ({ stats: statsFeed(), pokes: pokeFeed(), decisions: sink, history, shards: memoryShardOwnership() }),
    persist(d) {
      latest.set(revisionKey(d.ns, d.rev), d);
    },
    setHistoryAvailable(available) {
      historyAvailable = available;
    },
    decisions,
    latest,
  };
}

export function memoryShardOwnership(): MemoryShardOwnership {
  let owned: number[] = [];
  let onChange: ((c: ShardChange) => void) | undefined;
  let released = false;
  return {
    start(cb) {
      onChange = cb;
      if (owned.length > 0) cb({ owned, gained: owned, lost: [] });
    },
    async stop() {
      released = true;
      const lost = owned;
      owned = [];
      if (lost.length > 0) onChange?.({ owned, gained: [], lost });
      onChange = undefined;
    },
    set(next) {
      const sorted = [...new Set(next)].sort((a, b) => a - b);
      const gained = sorted.filter((s) => !owned.includes(s));
      const lost = owned.filter((s) => !sorted.includes(s));
      owned = sorted;
      onChange?.({ owned, gained, lost });
    },
    get owned() {
      return owned;
    },
    get released() {
      return released;
    },
  };
}

// The narrow interfaces the autoscaler consumes. Each has an in-memory implementation (tests) and
// a real one: the bus over Redis (bus-ports.ts), the local runtime or Kubernetes behind ScaleBackend.
import type { DecisionRecord, PokeRecord, StatRecord } from '@kpa-ts/bus';

/** A revision the backend wants autoscaled (a Deployment with our class, a local-runtime revision). */
export interface ManagedRevision {
  namespace: string;
  revision: string;
  /** `autoscaling.knative.dev/*` (and any other) annotations of the workload. */
  annotations: Record<string, string>;
  /** The user container's hard limit; 0 = unlimited. */
  containerConcurrency: number;
}

/** What the backend tells the autoscaler about the revisions it manages. */
export interface RevisionListener {
  revisionUpserted(r: ManagedRevision): void;
  revisionDeleted(namespace: string, revision: string): void;
}

/**
 * Where pods run: the local runtime now, the Kubernetes scale subresource next. `start` lists the
 * existing revisions through the listener (before it resolves) and keeps reporting changes.
 */
export interface ScaleBackend {
  start(listener: RevisionListener): Promise<void>;
  /** Ready pods of the revision now (throws when it cannot be read). */
  readyPods(namespace: string, revision: string): Promise<number>;
  /** The replicas the revision is scaled to now (the scale subresource's spec.replicas). */
  getScale(namespace: string, revision: string): Promise<number>;
  scale(namespace: string, revision: string, replicas: number): Promise<void>;
  stop(): Promise<void>;
}

/** Stats of the shards this replica owns. */
export interface StatsFeed {
  start(handler: (stat: StatRecord) => void): void;
  /** Reads exactly these shards from now on. */
  setShards(shards: readonly number[]): void;
  stop(): Promise<void>;
}

/** Every poke (each replica acts on those of the revisions it owns). */
export interface PokeFeed {
  start(handler: (poke: PokeRecord) => void): void;
  /** True once pokes published from now on are sure to be seen (false after `timeoutMs`). */
  whenSynced?(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** `kpa:decisions` + the latest-decision hash. publish never blocks and never throws. */
export interface DecisionSink {
  publish(decision: DecisionRecord): void;
  close(): Promise<void>;
}

/**
 * The latest decision per revision that outlives this process (`kpa:decisions:latest` in Redis):
 * what a replica restores a revision's PA state from when it first sees it.
 */
export interface DecisionHistory {
  start(): void;
  /** True once the persisted decisions were loaded (false after `timeoutMs`). */
  whenSynced(timeoutMs: number): Promise<boolean>;
  /**
   * The revision's persisted latest decision; undefined when there is none (never decided: a new
   * revision). Rejects with `AS_HISTORY_UNAVAILABLE` while it cannot be known (not loaded yet).
   */
  latest(namespace: string, revision: string): Promise<DecisionRecord | undefined>;
  stop(): Promise<void>;
}

export interface ShardChange {
  owned: readonly number[];
  gained: readonly number[];
  lost: readonly number[];
}

/** Shard leases: which stats shards (so which revisions) this replica scales. */
export interface ShardOwnership {
  /** Starts taking leases; `onChange` is called on every change of the owned set. */
  start(onChange: (change: ShardChange) => void): void;
  /** Stops renewing and releases every lease (fenced: only those still ours). */
  stop(): Promise<void>;
}

/** Wall-clock milliseconds. */
export interface Clock {
  nowMs(): number;
}

/** Interval timers (injected so tests drive ticks by hand). */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export const systemTimers: Timers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

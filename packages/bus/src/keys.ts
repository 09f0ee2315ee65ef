/** How many `kpa:stats:{shard}` streams revisions are spread over unless configured otherwise. */
export const STATS_SHARDS_DEFAULT = 16;

/**
 * The header the activator sets on every request it proxies (`K-Proxied-By: activator`), so the
 * queue-proxy can report the proxied part of its load (`pconc`, `preqs`). Lower case, as Node
 * presents incoming header names.
 */
export const PROXIED_HEADER = 'k-proxied-by';
export const PROXIED_HEADER_VALUE = 'activator';

/** `${prefix}kpa:stats:${shard}`: one entry per pod (or activator) per revision per second. */
export function statsStream(shard: number, prefix = ''): string {
  return `${prefix}kpa:stats:${shard}`;
}

/** `${prefix}kpa:poke`: the activator asks for a revision at zero to be scaled up now. */
export function pokeStream(prefix = ''): string {
  return `${prefix}kpa:poke`;
}

/** `${prefix}kpa:decisions`: every scaling decision, read by every activator. */
export function decisionsStream(prefix = ''): string {
  return `${prefix}kpa:decisions`;
}

/** `${prefix}kpa:decisions:latest`: hash `${ns}/${rev}` → the latest encoded decision. */
export function decisionsLatestKey(prefix = ''): string {
  return `${prefix}kpa:decisions:latest`;
}

/** The hash field of a revision in `kpa:decisions:latest`. */
export function revisionKey(ns: string, rev: string): string {
  return `${ns}/${rev}`;
}

/** `${prefix}kpa:lease:stats:${shard}`: the owner (replica id) of a stats shard, with a TTL. */
export function shardLeaseKey(shard: number, prefix = ''): string {
  return `${prefix}kpa:lease:stats:${shard}`;
}

/** `${prefix}kpa:replicas:stats`: sorted set of live replicas, scored by heartbeat expiry (ms). */
export function replicasKey(prefix = ''): string {
  return `${prefix}kpa:replicas:stats`;
}

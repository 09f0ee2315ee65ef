import { BusError } from './errors.js';

const FNV_OFFSET_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;
const encoder = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `text` (unsigned). Stable across processes and versions. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_32;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME_32);
  }
  return hash >>> 0;
}

/**
 * The stats shard of a revision: FNV-1a of `${namespace}/${revision}` mod `shards`.
 * Every producer and consumer must agree on `shards` (STATS_SHARDS_DEFAULT unless configured).
 */
export function shardOf(namespace: string, revision: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > 4096) {
    throw new BusError('BUS_INVALID_OPTIONS', `shards = ${shards}, must be an integer in [1, 4096]`);
  }
  return fnv1a32(`${namespace}/${revision}`) % shards;
}

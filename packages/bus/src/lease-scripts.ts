import { luaScript } from './redis.js';

/**
 * Heartbeat in the replica registry (a sorted set scored by expiry, in Redis server time so replica
 * clocks do not matter). KEYS[1] registry; ARGV[1] replica id, ARGV[2] ttl ms.
 * Drops expired replicas, refreshes this one, returns the live replica ids.
 */
export const heartbeatScript = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`);

/** Leaves the registry. KEYS[1] registry; ARGV[1] replica id. */
export const leaveScript = luaScript(`return redis.call('ZREM', KEYS[1], ARGV[1])`);

/**
 * Renews leases only where this replica still owns them (compare-and-PEXPIRE).
 * KEYS lease keys; ARGV[1] owner, ARGV[2] ttl ms. Returns 1 (renewed) or 0 (lost) per key.
 */
export const renewScript = luaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`);

/**
 * Fenced release: deletes a lease only if this replica still owns it (compare-and-DEL), so a late
 * release never removes the lease another replica took after ours expired.
 * KEYS lease keys; ARGV[1] owner. Returns 1 (released) or 0 (not ours) per key.
 */
export const releaseScript = luaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`);

/**
 * Takes up to ARGV[3] free leases among KEYS, in the order given (SET key owner NX PX ttl).
 * A lease already held under this owner's id (a restarted replica reusing its pod name) is
 * taken back at once (PEXPIRE) instead of waiting for it to expire.
 * KEYS candidate lease keys; ARGV[1] owner, ARGV[2] ttl ms, ARGV[3] how many.
 * Returns the 1-based indexes of the keys taken.
 */
export const acquireScript = luaScript(`
local want = tonumber(ARGV[3])
local taken = {}
for i, key in ipairs(KEYS) do
  if #taken >= want then break end
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
    taken[#taken + 1] = i
  elseif redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    taken[#taken + 1] = i
  end
end
return taken
`);

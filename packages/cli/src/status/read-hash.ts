// One HGETALL of the latest-decision hash, failing fast: no reconnects, no offline queue, one deadline.
import { Redis } from 'ioredis';
import { CliError } from '../errors.js';
import { maskRedisUrl } from './render.js';

export interface ReadHashOptions {
  redisUrl: string;
  key: string;
  /** the whole read (connect + HGETALL) is bounded by this */
  timeoutMs: number;
}

/** What went wrong, in words: the command's own error, else the connection's last one. */
function causeOf(err: unknown, lastError: string | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message === 'Connection is closed.') return lastError ?? 'connection closed';
  return lastError && lastError !== message ? `${message} (${lastError})` : message;
}

/**
 * `HGETALL key` on a connection of its own, closed afterwards. Throws CliError E_IO (exit 1) naming
 * Redis and the cause when it cannot connect, does not answer within `timeoutMs`, or refuses the
 * command (e.g. WRONGTYPE). Never retries: a status command reports, it does not wait.
 */
export async function readHash(o: ReadHashOptions): Promise<Record<string, string>> {
  const client = new Redis(o.redisUrl, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: o.timeoutMs,
    commandTimeout: o.timeoutMs,
    // a socket that never answered is destroyed this long after disconnect(), not ioredis's 2 s default
    disconnectTimeout: 100,
    connectionName: 'kpa-status',
  });
  // ioredis rejects connect() with a bare "Connection is closed."; the cause comes as an 'error' event.
  let lastError: string | undefined;
  client.on('error', (err: Error) => (lastError = err.message));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  try {
    return await Promise.race([client.connect().then(() => client.hgetall(o.key)), deadline]);
  } catch (err) {
    throw new CliError('E_IO', `cannot read ${o.key} from Redis at ${maskRedisUrl(o.redisUrl)}: ${causeOf(err, lastError)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    // (disconnect() on a connection that already ended would leave ioredis's 2 s destroy timer behind)
    if (client.status !== 'end') client.disconnect(false);
  }
}

import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusMetrics } from './metrics.js';

/** Reconnect backoff: 50 ms, 100 ms, 200 ms ... capped at 2 s, retried forever. */
export const RECONNECT_MIN_MS = 50;
export const RECONNECT_MAX_MS = 2_000;

/** The delay before reconnect attempt `attempt` (1-based). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(16, Math.max(0, attempt - 1)));
}

export interface BusClientOptions {
  redisUrl: string;
  /** who uses the connection (publisher, consumer, leaser, ...): the `client` label and log field */
  role: string;
  logger: Logger;
  metrics: BusMetrics;
}

/**
 * An ioredis client that fails fast instead of queueing: no offline queue, in-flight commands are
 * rejected when the connection drops (`maxRetriesPerRequest: 0`), reconnects with bounded backoff.
 * Callers check `status === 'ready'` and retry on their own schedule. Errors are logged once per outage.
 */
export function createBusClient(opts: BusClientOptions): Redis {
  const log = opts.logger.child({ redis: opts.role });
  const client = new Redis(opts.redisUrl, {
    retryStrategy: reconnectDelayMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    disconnectTimeout: 200,
    connectionName: `kpa-${opts.role}`,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, 'redis unavailable; reconnecting with backoff');
  });
  client.on('reconnecting', () => opts.metrics.reconnects.inc({ client: opts.role }));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('redis connection restored');
  });
  return client;
}

/** Resolves when `client` is ready, false after `timeoutMs` or when `signal` aborts. */
export function whenReady(client: Redis, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onReady = (): void => done(true);
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
    signal?.addEventListener('abort', onAbort);
  });
}

/** Closes a client: QUIT when connected (bounded by `timeoutMs`), then disconnect. Never throws. */
export async function closeClient(client: Redis, timeoutMs = 1_000): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', resolve));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  if (client.status === 'ready') {
    // QUIT: the server closes the socket and ioredis reaches 'end' by itself
    client.quit().catch(() => undefined);
    await Promise.race([ended, deadline]);
  }
  clearTimeout(timer);
  // (disconnect() on a socket that is already closed would leave ioredis's 2 s destroy timer behind)
  const status: string = client.status; // re-read: QUIT may have ended it meanwhile
  if (status !== 'end') client.disconnect(false);
}

/** A Lua script run with EVALSHA, falling back to EVAL when the server lost it (NOSCRIPT after a restart). */
export interface LuaScript {
  run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return client.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

// Small network helpers for the demo: free ports, one HTTP GET, Redis PING, waiting on a condition.
import { request } from 'node:http';
import { createConnection, createServer } from 'node:net';

/** A TCP port that was free on `host` a moment ago. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET `url` (with optional headers); rejects on a connection error or after `timeoutMs`. */
export function httpGet(url: string, opts: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: opts.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`GET ${url}: no answer within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** true when a Redis server answers PING on 127.0.0.1:port. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    let buf = '';
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (!buf.includes('\r\n')) return;
      sock.destroy();
      resolve(buf.startsWith('+PONG'));
    });
    sock.on('error', () => resolve(false));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  what: string;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Checked each round: a message here fails the wait at once (e.g. "the process exited"). */
  fatal?: () => string | undefined;
}

/** Polls `cond` until it is truthy; throws naming `what` on timeout, abort or a fatal condition. */
export async function waitUntil<T>(cond: () => T | Promise<T>, o: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + o.timeoutMs;
  let last: unknown;
  for (;;) {
    if (o.signal?.aborted) throw new Error(`${o.what}: interrupted`);
    const fatal = o.fatal?.();
    if (fatal !== undefined) throw new Error(`${o.what}: ${fatal}`);
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${o.what}: not within ${o.timeoutMs} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
  }
}

import { request, STATUS_CODES, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { endToEndHeaders, forwardedRequestHeaders } from './headers.js';
import { isProxied, type ProxyContext } from './proxy-handler.js';

/** What the upgrade path needs beyond the plain proxy: the live upgraded sockets, for the drain deadline. */
export interface UpgradeContext extends ProxyContext {
  sockets: Set<Duplex>;
}

function rawHead(status: number, message: string | undefined, headers: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${message ?? STATUS_CODES[status] ?? ''}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function rawReply(socket: Duplex, status: number, body: string): void {
  if (socket.destroyed) return;
  const head = rawHead(status, undefined, ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close']);
  socket.end(head + body);
}

/**
 * A protocol upgrade (WebSocket): through the breaker like any request, then the upstream's 101 is
 * relayed and the two sockets are spliced together until either side closes. The connection counts
 * as one request in flight for its whole life, as in Knative.
 */
class UpgradeExchange {
  readonly #ctx: UpgradeContext;
  readonly #req: IncomingMessage;
  readonly #socket: Duplex;
  readonly #head: Buffer;
  readonly #proxied: boolean;
  #granted = false;
  #closed = false;
  #cancelQueue: (() => void) | undefined;
  #upstream: ClientRequest | undefined;
  #upSocket: Duplex | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: UpgradeContext, req: IncomingMessage, socket: Duplex, head: Buffer) {
    this.#ctx = ctx;
    this.#req = req;
    this.#socket = socket;
    this.#head = head;
    this.#proxied = isProxied(req);
  }

  start(): void {
    const ctx = this.#ctx;
    ctx.stats.requestIn(this.#proxied, ctx.clock.monotonicMs());
    ctx.sockets.add(this.#socket);
    this.#socket.on('error', () => this.#socket.destroy());
    this.#socket.once('close', this.#onClose);
    if (ctx.breaker === undefined) return this.#forward();
    const entered = ctx.breaker.enter(() => {
      this.#cancelQueue = undefined;
      this.#granted = true;
      if (this.#closed) this.#release();
      else this.#forward();
    });
    if (entered.kind === 'granted') {
      this.#granted = true;
      this.#forward();
    } else if (entered.kind === 'queued') {
      this.#cancelQueue = entered.cancel;
    } else {
      ctx.metrics.breakerRejected();
      rawReply(this.#socket, 503, 'overload: queue-proxy breaker queue is full\n');
    }
  }

  #forward(): void {
    const ctx = this.#ctx;
    const req = this.#req;
    const upstream = request({
      host: ctx.upstream.host,
      port: ctx.upstream.port,
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req.rawHeaders, { clientAddress: req.socket.remoteAddress, fallbackHost: ctx.upstreamHost, upgrade: req.headers.upgrade ?? 'websocket' }),
      agent: false,
    });
    this.#upstream = upstream;
    this.#timer = setTimeout(() => {
      upstream.destroy();
      rawReply(this.#socket, 504, 'gateway timeout: the user container did not answer in time\n');
    }, ctx.timeoutMs);
    upstream.once('upgrade', this.#onUpgrade);
    upstream.once('response', this.#onRefused);
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(this.#timer);
      rawReply(this.#socket, 502, `bad gateway: user container unreachable (${err.code ?? err.message})\n`);
    });
    upstream.end();
  }

  readonly #onUpgrade = (upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer): void => {
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#upSocket = upSocket;
    if (this.#closed) return void upSocket.destroy();
    const headers = endToEndHeaders(upRes.rawHeaders);
    headers.push('Connection', 'Upgrade', 'Upgrade', upRes.headers.upgrade ?? this.#req.headers.upgrade ?? 'websocket');
    socket.write(rawHead(upRes.statusCode ?? 101, upRes.statusMessage, headers));
    if (upHead.length > 0) socket.write(upHead);
    if (this.#head.length > 0) upSocket.write(this.#head);
    upSocket.on('error', () => upSocket.destroy());
    upSocket.once('close', () => socket.destroy());
    upSocket.pipe(socket);
    socket.pipe(upSocket);
  };

  /** The user container answered without switching protocols: relay that answer and close. */
  readonly #onRefused = (upRes: IncomingMessage): void => {
    clearTimeout(this.#timer);
    const socket = this.#socket;
    // Transfer-Encoding is stripped and the body relayed decoded: without a Content-Length, the close ends it.
    const headers = endToEndHeaders(upRes.rawHeaders);
    headers.push('Connection', 'close');
    socket.write(rawHead(upRes.statusCode ?? 502, upRes.statusMessage, headers));
    upRes.pipe(socket);
  };

  #release(): void {
    if (!this.#granted) return;
    this.#granted = false;
    this.#ctx.breaker?.leave();
  }

  readonly #onClose = (): void => {
    const ctx = this.#ctx;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#cancelQueue?.();
    this.#cancelQueue = undefined;
    this.#upstream?.destroy();
    this.#upSocket?.destroy();
    ctx.sockets.delete(this.#socket);
    this.#release();
    ctx.stats.requestOut(this.#proxied, ctx.clock.monotonicMs());
    if (ctx.stats.concurrency === 0) ctx.onIdle();
  };
}

export function createUpgradeHandler(ctx: UpgradeContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => new UpgradeExchange(ctx, req, socket, head).start();
}

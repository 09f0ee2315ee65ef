import { request, type Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Breaker } from './breaker.js';
import type { Clock } from './clock.js';
import { endToEndHeaders, forwardedRequestHeaders } from './headers.js';
import type { QueueProxyMetrics } from './metrics.js';
import type { RequestStats } from './request-stats.js';

/**
 * The activator's mark on requests it proxies (`K-Proxied-By: activator`): the same values as
 * @kpa-ts/bus's PROXIED_HEADER / PROXIED_HEADER_VALUE (a unit test pins them equal). Kept here so the
 * proxy loads the bus (and ioredis, ~12 MB of RSS) only when REDIS_URL is set.
 */
export const PROXIED_HEADER = 'k-proxied-by';
export const PROXIED_HEADER_VALUE = 'activator';

/** Knative's probe header: `K-Network-Probe: queue` asks the queue-proxy itself whether it is ready. */
export const NETWORK_PROBE_HEADER = 'k-network-probe';
export const NETWORK_PROBE_QUEUE = 'queue';
/** The kubelet's probes, rewritten to go through the queue-proxy, carry this header (or a kube-probe/ user agent). */
export const KUBELET_PROBE_HEADER = 'k-kubelet-probe';

/** Everything a proxied request needs; one instance per queue-proxy. */
export interface ProxyContext {
  upstream: { host: string; port: number };
  /** `host:port` of the user container, the Host header when a client sent none */
  upstreamHost: string;
  /** keep-alive agent to the user container */
  agent: Agent;
  /** undefined when containerConcurrency = 0 (unlimited) */
  breaker: Breaker | undefined;
  stats: RequestStats;
  clock: Clock;
  metrics: QueueProxyMetrics;
  readiness: { readonly ready: boolean };
  /** time to the first response byte from the user container before a 504 */
  timeoutMs: number;
  logger: Logger;
  /** true from SIGTERM on: responses carry `Connection: close` */
  draining: () => boolean;
  /** called whenever the last request in flight is done */
  onIdle: () => void;
}

export function isKubeletProbe(req: IncomingMessage): boolean {
  return req.headers[KUBELET_PROBE_HEADER] !== undefined || (req.headers['user-agent']?.startsWith('kube-probe/') ?? false);
}

export function isProxied(req: IncomingMessage): boolean {
  return req.headers[PROXIED_HEADER] === PROXIED_HEADER_VALUE;
}

/** A small plain-text answer of the queue-proxy's own (probe, 502, 503, 504). */
export function replyText(res: ServerResponse, status: number, body: string, close: boolean): void {
  const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (close) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

function ignore(): void {}

/** Sends the request head on its own unless a body chunk already took it along (`readableDidRead`). */
function flushRequestHeadIfIdle(req: IncomingMessage, upstream: ClientRequest): void {
  if (!req.readableDidRead && !upstream.destroyed) upstream.flushHeaders();
}

/** A request with no body can be replayed on a fresh connection if a reused keep-alive socket was already dead. */
function replayable(req: IncomingMessage): boolean {
  return !hasBody(req);
}

/** One client request on its way through the breaker to the user container and back. */
class Exchange {
  readonly #ctx: ProxyContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #proxied: boolean;
  readonly #startMs: number;
  #appStartMs = 0;
  #appStatus = 0;
  #granted = false;
  #closed = false;
  #timedOut = false;
  #retried = false;
  #cancelQueue: (() => void) | undefined;
  #upstream: ClientRequest | undefined;
  #upRes: IncomingMessage | undefined;
  #bodyStarted = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse) {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#proxied = isProxied(req);
    this.#startMs = ctx.clock.monotonicMs();
  }

  start(): void {
    const ctx = this.#ctx;
    ctx.stats.requestIn(this.#proxied, this.#startMs);
    // Every emitter here is this request's own and each event fires once: `on`, not `once` (no
    // wrapper, no removal). No 'error' listener on the client request: a client that goes away
    // closes the response too, and #onClose aborts the upstream request.
    this.#res.on('close', this.#onClose);
    // The revision timeout covers the wait in the breaker queue too, as in Knative.
    this.#timer = setTimeout(this.#onTimeout, ctx.timeoutMs);
    if (ctx.breaker === undefined) return this.#forward();
    const entered = ctx.breaker.enter(this.#onGrant);
    if (entered.kind === 'granted') {
      this.#granted = true;
      this.#forward();
    } else if (entered.kind === 'queued') {
      this.#cancelQueue = entered.cancel;
    } else {
      ctx.metrics.breakerRejected();
      replyText(this.#res, 503, 'overload: queue-proxy breaker queue is full\n', ctx.draining());
    }
  }

  readonly #onGrant = (): void => {
    this.#cancelQueue = undefined;
    this.#granted = true;
    if (this.#closed) {
      this.#ctx.breaker?.leave();
      this.#granted = false;
      return;
    }
    this.#forward();
  };

  #forward(): void {
    const ctx = this.#ctx;
    const req = this.#req;
    this.#appStartMs = ctx.clock.monotonicMs();
    const upstream = request({
      host: ctx.upstream.host,
      port: ctx.upstream.port,
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req.rawHeaders, { clientAddress: req.socket.remoteAddress, fallbackHost: ctx.upstreamHost }),
      agent: ctx.agent,
    });
    this.#upstream = upstream;
    upstream.on('response', this.#onResponse);
    upstream.on('error', this.#onUpstreamError);
    // No body (most requests): no pipe to set up; Node discards the empty request stream itself.
    if (!hasBody(req)) return void upstream.end();
    // A body: Node sends the head with the first body chunk, in one write when the body came in
    // with the request head (the usual small POST). Otherwise (a client that streams, or waits for
    // the answer first) send the head on its own once this turn of the event loop is over.
    req.pipe(upstream);
    setImmediate(flushRequestHeadIfIdle, req, upstream);
  }

  readonly #onResponse = (upRes: IncomingMessage): void => {
    clearTimeout(this.#timer);
    const res = this.#res;
    const status = upRes.statusCode ?? 502;
    this.#appStatus = status;
    this.#upRes = upRes;
    const headers = endToEndHeaders(upRes.rawHeaders);
    if (this.#ctx.draining()) headers.push('Connection', 'close');
    res.writeHead(status, upRes.statusMessage, headers);
    // Relayed by hand rather than with pipe(): two listeners instead of pipe's bookkeeping, same backpressure.
    upRes.on('data', this.#onUpData);
    upRes.on('end', this.#onUpEnd);
    // An upstream that goes away mid-body closes upRes before its end (its 'error' is only emitted
    // to listeners, so none is needed): #onUpClose cuts the client off.
    upRes.on('close', this.#onUpClose);
    // Node sends the head with the first body chunk. A body that arrived with the head is written
    // before this immediate runs; otherwise (a streamed or slow body) send the head now.
    setImmediate(this.#flushHeadIfIdle);
  };

  readonly #onUpData = (chunk: Buffer): void => {
    this.#bodyStarted = true;
    if (!this.#res.write(chunk)) {
      this.#upRes?.pause();
      this.#res.once('drain', this.#onResDrain);
    }
  };

  readonly #onResDrain = (): void => void this.#upRes?.resume();

  readonly #onUpEnd = (): void => void this.#res.end();

  /** The user container went away mid-body: cut the client off too rather than end it short. */
  readonly #onUpClose = (): void => {
    if (this.#upRes?.complete === false) this.#res.destroy();
  };

  readonly #flushHeadIfIdle = (): void => {
    const res = this.#res;
    if (!this.#bodyStarted && !res.writableEnded && !res.destroyed) res.flushHeaders();
  };

  readonly #onUpstreamError = (err: NodeJS.ErrnoException): void => {
    const upstream = this.#upstream;
    if (this.#closed || this.#timedOut || upstream === undefined) return;
    if (!this.#retried && upstream.reusedSocket && err.code === 'ECONNRESET' && replayable(this.#req)) {
      // The user container closed an idle keep-alive connection just as we reused it: replay once.
      this.#retried = true;
      upstream.off('error', this.#onUpstreamError).on('error', ignore);
      return this.#forward();
    }
    const res = this.#res;
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    this.#ctx.logger.debug({ err: err.message, code: err.code }, 'user container unreachable');
    this.#appStatus = 0;
    replyText(res, 502, `bad gateway: user container unreachable (${err.code ?? err.message})\n`, this.#ctx.draining());
  };

  readonly #onTimeout = (): void => {
    if (this.#closed || this.#res.headersSent) return;
    this.#timedOut = true;
    this.#cancelQueue?.();
    this.#cancelQueue = undefined;
    this.#upstream?.destroy();
    replyText(this.#res, 504, 'gateway timeout: the user container did not answer in time\n', this.#ctx.draining());
  };

  readonly #onClose = (): void => {
    const ctx = this.#ctx;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#cancelQueue?.();
    this.#cancelQueue = undefined;
    if (!this.#res.writableFinished) this.#upstream?.destroy();
    if (this.#granted) ctx.breaker?.leave();
    const now = ctx.clock.monotonicMs();
    ctx.stats.requestOut(this.#proxied, now);
    ctx.metrics.request(this.#res.statusCode, now - this.#startMs);
    if (this.#appStatus !== 0) ctx.metrics.appRequest(this.#appStatus, now - this.#appStartMs);
    if (ctx.stats.concurrency === 0) ctx.onIdle();
  };
}

/** Answers Knative's `K-Network-Probe` and the kubelet's probes; everything else goes to the user container. */
export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const probe = req.headers[NETWORK_PROBE_HEADER];
    if (probe !== undefined) {
      if (probe !== NETWORK_PROBE_QUEUE) return replyText(res, 400, `unexpected probe header value: ${String(probe)}\n`, false);
      return ctx.readiness.ready ? replyText(res, 200, NETWORK_PROBE_QUEUE, false) : replyText(res, 503, 'not ready\n', ctx.draining());
    }
    if (isKubeletProbe(req)) {
      return ctx.readiness.ready ? replyText(res, 200, 'ready\n', false) : replyText(res, 503, 'not ready\n', ctx.draining());
    }
    new Exchange(ctx, req, res).start();
  };
}

import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PROXIED_HEADER, PROXIED_HEADER_VALUE } from './bus-types.js';
import type { Clock } from './clock.js';
import { ActivatorError, statusForError } from './errors.js';
import { bufferSmallBody, forwardOnce, type ForwardResult } from './forward.js';
import { requestHeadersForPod } from './headers.js';
import type { LoadReporter } from './load-reporter.js';
import type { ActivatorMetrics } from './metrics.js';
import type { Revisions } from './revisions.js';
import { parseRoute } from './route.js';
import type { Lease, Mode, RevisionThrottler } from './throttler.js';

export interface GatewayOptions {
  domain: string;
  queueTimeoutMs: number;
  /** Used when a revision sets no timeoutSeconds. */
  defaultTimeoutSeconds: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Bodies up to this size are buffered so a reset before the response can be retried. */
  retryBodyMaxBytes: number;
}

export interface GatewayDeps {
  clock: Clock;
  revisions: Revisions;
  reporter: LoadReporter;
  metrics: ActivatorMetrics;
  agent: Agent;
  /** true while shutting down: answer with `Connection: close`. */
  draining: () => boolean;
}

export const PROBE_HEADER = 'k-network-probe';

/** Everything one request carries through its attempts. */
interface RequestCtx {
  req: IncomingMessage;
  res: ServerResponse;
  ns: string;
  rev: string;
  th: RevisionThrottler;
  /** fixed at arrival: decides the proxied header and whether the activator counts the request */
  mode: Mode;
  /** arrived with zero ready pods */
  cold: boolean;
  startMs: number;
  exclude: Set<string>;
  controller: AbortController | undefined;
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) + 1 });
  res.end(`${body}\n`);
}

/** Answers a typed error with its status and message; anything else is a 500. */
export function fail(res: ServerResponse, err: unknown): number {
  if (!(err instanceof ActivatorError)) {
    sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    return 500;
  }
  const status = statusForError(err.code);
  if (err.code === 'ACT_CANCELLED') res.destroy();
  else sendText(res, status, err.message);
  return status;
}

/** The hot path: route, throttle (Proxy) or balance (Serve), forward with retries. */
class Gateway {
  readonly #o: GatewayOptions;
  readonly #d: GatewayDeps;

  constructor(o: GatewayOptions, d: GatewayDeps) {
    this.#o = o;
    this.#d = d;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#d.draining()) res.setHeader('connection', 'close');
    if (req.headers[PROBE_HEADER] === 'activator') return sendText(res, 200, 'activator');
    const route = parseRoute(req.headers, this.#o.domain);
    if (!route.ok) {
      this.#d.metrics.unroutable.inc({ reason: 'bad-host' });
      return sendText(res, 404, route.reason);
    }
    const { namespace: ns, revision: rev } = route.ref;
    const th = this.#d.revisions.get(ns, rev);
    if (!th) {
      this.#d.metrics.unroutable.inc({ reason: 'unknown-revision' });
      return sendText(res, 404, `revision "${rev}" in namespace "${ns}" is not known to this activator (routed by ${route.via})`);
    }
    const mode = th.effectiveMode();
    await this.#track({ req, res, ns, rev, th, mode, cold: th.readyCount === 0, startMs: performance.now(), exclude: new Set(), controller: undefined });
  }

  /** Accounting around one request: stats, poke, concurrency, count and latency. */
  async #track(ctx: RequestCtx): Promise<void> {
    const { metrics, reporter } = this.#d;
    const labels = { namespace: ctx.ns, revision: ctx.rev };
    metrics.requestConcurrency.inc(labels);
    if (ctx.mode === 'proxy') reporter.begin(ctx.ns, ctx.rev);
    if (ctx.cold) reporter.poke(ctx.ns, ctx.rev);
    let status = 500;
    try {
      status = await this.#serve(ctx);
    } finally {
      if (ctx.mode === 'proxy') reporter.end(ctx.ns, ctx.rev);
      metrics.requestConcurrency.dec(labels);
      const code = String(status);
      metrics.requestCount.inc({ ...labels, code });
      metrics.requestLatencies.observe({ ...labels, code }, performance.now() - ctx.startMs);
    }
  }

  /** Attempts until one is done, fails for good, or the attempts run out; returns the status. */
  async #serve(ctx: RequestCtx): Promise<number> {
    const body = await bufferSmallBody(ctx.req, this.#o.retryBodyMaxBytes);
    for (let n = 1; ; n++) {
      let lease: Lease;
      try {
        lease = await this.#acquire(ctx);
      } catch (err) {
        return fail(ctx.res, err);
      }
      if (n === 1) this.#d.metrics.queueWait.observe({ namespace: ctx.ns, revision: ctx.rev }, (performance.now() - ctx.startMs) / 1000);
      const r = await this.#attempt(ctx, lease, body).finally(() => lease.release());
      if (r.kind === 'done') return r.status;
      if (r.kind === 'error') return fail(ctx.res, new ActivatorError(r.code, `revision ${ctx.ns}/${ctx.rev}: ${r.message}`));
      this.#d.metrics.retries.inc({ namespace: ctx.ns, revision: ctx.rev, reason: r.reason });
      if (n >= this.#o.maxAttempts) {
        const why = (r.error as NodeJS.ErrnoException).code ?? r.error.message;
        return fail(ctx.res, new ActivatorError('ACT_NO_POD', `revision ${ctx.ns}/${ctx.rev}: ${n} attempts failed, last on ${lease.pod.dest}: ${why}`));
      }
      ctx.exclude.add(lease.pod.dest);
    }
  }

  /** A pod slot now, or after waiting in the revision's queue (left when the client goes away). */
  #acquire(ctx: RequestCtx): Promise<Lease> {
    const now = ctx.th.tryAcquire(ctx.exclude);
    if (now) return Promise.resolve(now);
    if (!ctx.controller) {
      const c = new AbortController();
      ctx.controller = c;
      const onClose = (): void => {
        if (!ctx.res.writableFinished) c.abort();
      };
      ctx.res.once('close', onClose);
    }
    return ctx.th.acquire({ exclude: ctx.exclude, queueTimeoutMs: this.#o.queueTimeoutMs, signal: ctx.controller.signal });
  }

  #attempt(ctx: RequestCtx, lease: Lease, body: Buffer | undefined): Promise<ForwardResult> {
    const { req, res } = ctx;
    const headers = requestHeadersForPod(req.headers, {
      clientIp: req.socket.remoteAddress,
      proto: 'http',
      proxiedHeader: { name: PROXIED_HEADER, value: PROXIED_HEADER_VALUE, set: ctx.mode === 'proxy' },
    });
    const timeoutMs = (ctx.th.info.timeoutSeconds ?? this.#o.defaultTimeoutSeconds) * 1000;
    const labels = { namespace: ctx.ns, revision: ctx.rev };
    const onResponseStart = ctx.cold ? (): void => this.#d.metrics.coldStartDuration.observe(labels, (performance.now() - ctx.startMs) / 1000) : undefined;
    return forwardOnce({ req, res, target: lease.pod, headers, body, agent: this.#d.agent, clock: this.#d.clock, timeoutMs, ...(onResponseStart ? { onResponseStart } : {}) });
  }
}

/** The node:http request handler of the gateway port. */
export function createGatewayHandler(o: GatewayOptions, d: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const g = new Gateway(o, d);
  return (req, res) => {
    g.handle(req, res).catch((err: unknown) => fail(res, err));
  };
}

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
export interface RequestCtx {
  ns: string;
  rev: string;
  th: RevisionThrottler;
  mode: Mode;
  cold: boolean;
  startMs: number;
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

/** The hot path: route, throttle (Proxy) or balance (Serve), forward with retries. */
export function createGatewayHandler(o: GatewayOptions, d: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (d.draining()) res.setHeader('connection', 'close');
    if (req.headers[PROBE_HEADER] === 'activator') {
      sendText(res, 200, 'activator');
      return;
    }
    const route = parseRoute(req.headers, o.domain);
    if (!route.ok) {
      d.metrics.unroutable.inc({ reason: 'bad-host' });
      sendText(res, 404, route.reason);
      return;
    }
    const { namespace: ns, revision: rev } = route.ref;
    const th = d.revisions.get(ns, rev);
    if (!th) {
      d.metrics.unroutable.inc({ reason: 'unknown-revision' });
      sendText(res, 404, `revision "${rev}" in namespace "${ns}" is not known to this activator (routed by ${route.via})`);
      return;
    }
    const ctx: RequestCtx = { ns, rev, th, mode: th.effectiveMode(), cold: th.readyCount === 0, startMs: performance.now(), controller: undefined };
    await track(ctx, req, res);
  };

  const track = async (ctx: RequestCtx, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const labels = { namespace: ctx.ns, revision: ctx.rev };
    d.metrics.requestConcurrency.inc(labels);
    if (ctx.mode === 'proxy') d.reporter.begin(ctx.ns, ctx.rev);
    if (ctx.cold) d.reporter.poke(ctx.ns, ctx.rev);
    let status = 500;
    try {
      status = await serve(ctx, req, res);
    } finally {
      if (ctx.mode === 'proxy') d.reporter.end(ctx.ns, ctx.rev);
      d.metrics.requestConcurrency.dec(labels);
      const code = String(status);
      d.metrics.requestCount.inc({ ...labels, code });
      d.metrics.requestLatencies.observe({ ...labels, code }, performance.now() - ctx.startMs);
    }
  };

  const acquire = async (ctx: RequestCtx, req: IncomingMessage, res: ServerResponse, exclude: Set<string>): Promise<Lease> => {
    const now = ctx.th.tryAcquire(exclude);
    if (now) return now;
    if (!ctx.controller) {
      const c = new AbortController();
      ctx.controller = c;
      const onClose = (): void => {
        if (!res.writableFinished) c.abort();
      };
      res.once('close', onClose);
      req.once('aborted', onClose);
    }
    return ctx.th.acquire({ exclude, queueTimeoutMs: o.queueTimeoutMs, signal: ctx.controller.signal });
  };

  const attempt = (ctx: RequestCtx, req: IncomingMessage, res: ServerResponse, lease: Lease, body: Buffer | undefined): Promise<ForwardResult> => {
    const headers = requestHeadersForPod(req.headers, {
      clientIp: req.socket.remoteAddress,
      proto: 'http',
      proxiedHeader: { name: PROXIED_HEADER, value: PROXIED_HEADER_VALUE, set: ctx.mode === 'proxy' },
    });
    const timeoutMs = (ctx.th.info.timeoutSeconds ?? o.defaultTimeoutSeconds) * 1000;
    const labels = { namespace: ctx.ns, revision: ctx.rev };
    const onResponseStart = ctx.cold ? (): void => d.metrics.coldStartDuration.observe(labels, (performance.now() - ctx.startMs) / 1000) : undefined;
    return forwardOnce({ req, res, target: lease.pod, headers, body, agent: d.agent, clock: d.clock, timeoutMs, ...(onResponseStart ? { onResponseStart } : {}) });
  };

  const serve = async (ctx: RequestCtx, req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const exclude = new Set<string>();
    const body = await bufferSmallBody(req, o.retryBodyMaxBytes);
    for (let n = 1; ; n++) {
      let lease: Lease;
      try {
        lease = await acquire(ctx, req, res, exclude);
      } catch (err) {
        return fail(res, err);
      }
      if (n === 1) d.metrics.queueWait.observe({ namespace: ctx.ns, revision: ctx.rev }, (performance.now() - ctx.startMs) / 1000);
      let r: ForwardResult;
      try {
        r = await attempt(ctx, req, res, lease, body);
      } finally {
        lease.release();
      }
      if (r.kind === 'done') return r.status;
      if (r.kind === 'error') return fail(res, new ActivatorError(r.code, `revision ${ctx.ns}/${ctx.rev}: ${r.message}`));
      d.metrics.retries.inc({ namespace: ctx.ns, revision: ctx.rev, reason: r.reason });
      if (n >= o.maxAttempts) {
        return fail(res, new ActivatorError('ACT_NO_POD', `revision ${ctx.ns}/${ctx.rev}: ${n} attempts failed, last on ${lease.pod.dest}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`));
      }
      exclude.add(lease.pod.dest);
    }
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, err));
  };
}

/** Answers a typed error with its status and message; anything else is a 500. */
export function fail(res: ServerResponse, err: unknown): number {
  if (err instanceof ActivatorError) {
    const status = statusForError(err.code);
    if (err.code === 'ACT_CANCELLED') {
      res.destroy();
      return status;
    }
    sendText(res, status, err.message);
    return status;
  }
  sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  return 500;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { performance } from 'node:perf_hooks';
import { PROXIED_HEADER, PROXIED_HEADER_VALUE } from './bus-types.js';
import type { Clock } from './clock.js';
import { ActivatorError, statusForError } from './errors.js';
import { bodyPlan, forward, readBody, type ForwardResult } from './forward.js';
import { podRequestHeaders, type ForwardContext } from './headers.js';
import type { LoadReporter } from './load-reporter.js';
import type { ActivatorMetrics, RevisionMeters } from './metrics.js';
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
  /** The connection pool to the pods (`createUpstreamAgent()`). */
  agent: Dispatcher;
  /** true while shutting down: answer with `Connection: close`. */
  draining: () => boolean;
}

export const PROBE_HEADER = 'k-network-probe';

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

const PROXIED: ForwardContext['proxiedHeader'] = { name: PROXIED_HEADER, value: PROXIED_HEADER_VALUE, set: true };
const SERVED: ForwardContext['proxiedHeader'] = { name: PROXIED_HEADER, value: PROXIED_HEADER_VALUE, set: false };

/**
 * One request from arrival to its last byte: accounting (stats, poke, concurrency, count and
 * latency), a pod slot (at once, or after waiting in the revision's queue), forwarding with
 * retries. Callback-driven: a request that finds a free pod runs without a promise of its own.
 */
class Exchange {
  readonly #o: GatewayOptions;
  readonly #d: GatewayDeps;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #th: RevisionThrottler;
  readonly #meters: RevisionMeters;
  /** fixed at arrival: decides the proxied header and whether the activator counts the request */
  readonly #mode: Mode;
  /** arrived with zero ready pods */
  readonly #cold: boolean;
  readonly #startMs: number;
  /** pods a retry must avoid (created on the first retry) */
  #exclude: Set<string> | undefined;
  /** aborts the wait in the queue when the client goes away (created on the first wait) */
  #controller: AbortController | undefined;
  #body: Buffer | undefined;
  #headers: string[] | undefined;
  #lease: Lease | undefined;
  #attempts = 0;
  #ended = false;

  constructor(o: GatewayOptions, d: GatewayDeps, req: IncomingMessage, res: ServerResponse, th: RevisionThrottler) {
    this.#o = o;
    this.#d = d;
    this.#req = req;
    this.#res = res;
    this.#th = th;
    const { namespace, revision } = th.info;
    this.#meters = d.metrics.revision(namespace, revision);
    this.#mode = th.effectiveMode();
    this.#cold = th.readyCount === 0;
    this.#startMs = performance.now();
  }

  start(): void {
    const { reporter } = this.#d;
    const { namespace, revision } = this.#th.info;
    this.#meters.inFlight += 1;
    if (this.#mode === 'proxy') reporter.begin(namespace, revision);
    if (this.#cold) reporter.poke(namespace, revision);
    const plan = bodyPlan(this.#req, this.#o.retryBodyMaxBytes);
    if (plan !== 'buffer') {
      this.#body = plan;
      return this.#next();
    }
    readBody(this.#req).then((b) => {
      this.#body = b;
      this.#next();
    }, this.#onFailure);
  }

  /** A pod slot now, or after waiting in the revision's queue (left when the client goes away). */
  #next(): void {
    const now = this.#th.tryAcquire(this.#exclude);
    if (now) return this.#attempt(now);
    if (!this.#controller) {
      this.#controller = new AbortController();
      this.#res.on('close', this.#onCloseWhileQueued);
    }
    this.#th.acquire({ exclude: this.#exclude, queueTimeoutMs: this.#o.queueTimeoutMs, signal: this.#controller.signal }).then(this.#attempt, this.#onFailure);
  }

  readonly #onCloseWhileQueued = (): void => {
    if (!this.#res.writableFinished) this.#controller?.abort();
  };

  readonly #attempt = (lease: Lease): void => {
    this.#attempts += 1;
    if (this.#attempts === 1) this.#meters.queueWait.observe((performance.now() - this.#startMs) / 1000);
    this.#lease = lease;
    const req = this.#req;
    this.#headers ??= podRequestHeaders(req.rawHeaders, { clientIp: req.socket.remoteAddress, proto: 'http', proxiedHeader: this.#mode === 'proxy' ? PROXIED : SERVED });
    const timeoutMs = (this.#th.info.timeoutSeconds ?? this.#o.defaultTimeoutSeconds) * 1000;
    const { agent, clock } = this.#d;
    const f = { req, res: this.#res, target: lease.pod, headers: this.#headers, body: this.#body, agent, clock, timeoutMs };
    try {
      forward(this.#cold ? { ...f, onResponseStart: this.#onColdResponse } : f, this.#onResult);
    } catch (err) {
      lease.release();
      this.#onFailure(err);
    }
  };

  readonly #onColdResponse = (): void => this.#meters.coldStart.observe((performance.now() - this.#startMs) / 1000);

  /** Attempts until one is done, fails for good, or the attempts run out. */
  readonly #onResult = (r: ForwardResult): void => {
    const lease = this.#lease as Lease;
    lease.release();
    if (r.kind === 'done') return this.#end(r.status);
    const { namespace: ns, revision: rev } = this.#th.info;
    if (r.kind === 'error') return this.#end(fail(this.#res, new ActivatorError(r.code, `revision ${ns}/${rev}: ${r.message}`)));
    this.#d.metrics.retries.inc({ namespace: ns, revision: rev, reason: r.reason });
    if (this.#attempts >= this.#o.maxAttempts) {
      const why = (r.error as NodeJS.ErrnoException).code ?? r.error.message;
      return this.#end(fail(this.#res, new ActivatorError('ACT_NO_POD', `revision ${ns}/${rev}: ${this.#attempts} attempts failed, last on ${lease.pod.dest}: ${why}`)));
    }
    (this.#exclude ??= new Set()).add(lease.pod.dest);
    try {
      this.#next();
    } catch (err) {
      this.#onFailure(err);
    }
  };

  readonly #onFailure = (err: unknown): void => this.#end(fail(this.#res, err));

  /** Accounting at the end, exactly once: stats, concurrency, count and latency by status. */
  #end(status: number): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#controller) this.#res.off('close', this.#onCloseWhileQueued);
    if (this.#mode === 'proxy') {
      const { namespace, revision } = this.#th.info;
      this.#d.reporter.end(namespace, revision);
    }
    this.#meters.inFlight -= 1;
    this.#meters.requests.record(status, performance.now() - this.#startMs);
  }

  /** Something threw before any callback was set up. */
  abort(err: unknown): void {
    this.#lease?.release();
    this.#onFailure(err);
  }
}

/** The hot path: route, throttle (Proxy) or balance (Serve), forward with retries. */
function handle(o: GatewayOptions, d: GatewayDeps, req: IncomingMessage, res: ServerResponse): void {
  if (d.draining()) res.setHeader('connection', 'close');
  if (req.headers[PROBE_HEADER] === 'activator') return sendText(res, 200, 'activator');
  const route = parseRoute(req.headers, o.domain);
  if (!route.ok) {
    d.metrics.unroutable.inc({ reason: 'bad-host' });
    return sendText(res, 404, route.reason);
  }
  const { namespace: ns, revision: rev } = route.ref;
  const th = d.revisions.get(ns, rev);
  if (!th) {
    d.metrics.unroutable.inc({ reason: 'unknown-revision' });
    return sendText(res, 404, `revision "${rev}" in namespace "${ns}" is not known to this activator (routed by ${route.via})`);
  }
  const ex = new Exchange(o, d, req, res, th);
  try {
    ex.start();
  } catch (err) {
    ex.abort(err);
  }
}

/** The node:http request handler of the gateway port. */
export function createGatewayHandler(o: GatewayOptions, d: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      handle(o, d, req, res);
    } catch (err) {
      fail(res, err);
    }
  };
}

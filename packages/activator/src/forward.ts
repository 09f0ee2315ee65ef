import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { Clock, TimerHandle } from './clock.js';
import type { ActivatorErrorCode } from './errors.js';
import { stripHopByHop } from './headers.js';

export interface ForwardTarget {
  ip: string;
  port: number;
  /** `originOf(this)`, when the caller keeps it (a pod's state does) */
  origin?: string;
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  target: ForwardTarget;
  /** A raw list ([name, value, ...], as `podRequestHeaders` builds it) or an object. */
  headers: readonly string[] | OutgoingHttpHeaders;
  /** The whole body, buffered (replayable), or undefined: stream `req` once the pod's socket is connected. */
  body: Buffer | undefined;
  /** The connection pool to the pods (`createUpstreamAgent()`). */
  agent: Dispatcher;
  clock: Clock;
  /** Revision timeout: the pod must start its response within this. */
  timeoutMs: number;
  /** Called when the pod's response head arrives (first byte). */
  onResponseStart?: () => void;
}

export type ForwardResult =
  | { kind: 'done'; status: number }
  | { kind: 'retry'; reason: 'connect' | 'reset'; error: Error }
  | { kind: 'error'; code: ActivatorErrorCode; message: string };

// node:net's connect errors, and undici's connect timeout.
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT']);
// A connection closed under a request: node:net's, and undici's "other side closed" / "closed".
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * The keep-alive connection pool to the pods: undici (Node's own HTTP/1.1 client library), one
 * pool per pod address, no pipelining (a slow response must not hold up the next request), no
 * limit on connections (the throttler bounds them), no timeouts of its own (the revision timeout
 * is ours; the queue-proxy bounds the body).
 */
export function createUpstreamAgent(): Agent {
  return new Agent({ pipelining: 1, connections: null, headersTimeout: 0, bodyTimeout: 0 });
}

interface AttemptState {
  connected: boolean;
  reused: boolean;
  bodyStarted: boolean;
  responded: boolean;
  timedOut: boolean;
}

/**
 * Pure: may a failed attempt be sent to another pod? Connect failures always (the pod saw nothing;
 * a streamed body is only read once the socket is connected). A reset or hang-up before any
 * response byte only with a buffered body and when the socket was a reused keep-alive one (the
 * pod closed it while idle) or the method is idempotent.
 */
export function classifyFailure(err: NodeJS.ErrnoException, s: AttemptState, method: string, replayable: boolean): 'connect' | 'reset' | undefined {
  if (s.responded || s.timedOut) return undefined;
  const code = err.code ?? '';
  if (!s.connected && !s.bodyStarted && (CONNECT_ERRORS.has(code) || RESET_ERRORS.has(code))) return 'connect';
  const reset = RESET_ERRORS.has(code) || err.message === 'socket hang up';
  if (reset && replayable && (s.reused || IDEMPOTENT.has(method))) return 'reset';
  return undefined;
}

/**
 * One attempt: the request to one pod (undici's dispatch API: callbacks, no streams), its response
 * relayed to the client, `done` called exactly once. The client's `close` is the one event that ends
 * a relayed response (finished → the pod's status; not finished → the client went away, 499).
 */
class Attempt implements AttemptState, Dispatcher.DispatchHandler {
  connected = false;
  reused = false;
  bodyStarted = false;
  responded = false;
  timedOut = false;
  readonly #f: ForwardRequest;
  readonly #done: (r: ForwardResult) => void;
  /** undici's handle on the request, from the moment it is written to a connected socket */
  #ctl: Dispatcher.DispatchController | undefined;
  /** why the request must stop (revision timeout, client gone) if it had no handle yet */
  #abandoned: Error | undefined;
  #status = 0;
  /** a response body byte was written to the client (the head went with it) */
  #relayed = false;
  #complete = false;
  #timer: TimerHandle | undefined;
  #settled = false;

  constructor(f: ForwardRequest, done: (r: ForwardResult) => void) {
    this.#f = f;
    this.#done = done;
  }

  start(): void {
    const f = this.#f;
    const { req } = f;
    this.#timer = f.clock.setTimeout(this.#onTimeout, f.timeoutMs);
    f.res.on('close', this.#onClientClose);
    const body = f.body === undefined ? req : f.body.length === 0 ? null : f.body;
    const headers = f.headers as string[];
    f.agent.dispatch({ origin: originOf(f.target), path: req.url ?? '/', method: req.method ?? 'GET', headers, body }, this);
  }

  /** Connected, the request is about to be written. */
  onRequestStart(ctl: Dispatcher.DispatchController): void {
    this.#ctl = ctl;
    if (this.#abandoned) return ctl.abort(this.#abandoned);
    this.connected = true;
    if (this.#f.body === undefined) this.bodyStarted = true;
  }

  onResponseStart(ctl: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200 || this.#settled) return; // 1xx: the activator answered the client's own already
    this.responded = true;
    this.#f.clock.clearTimeout(this.#timer as TimerHandle);
    this.#f.onResponseStart?.();
    this.#status = statusCode;
    this.#f.res.writeHead(statusCode, statusMessage ?? '', stripHopByHop(headers));
    // Node sends the head with the first body chunk; a body that came with the head arrives in
    // this same turn. Otherwise (a streamed or slow body) send the head on its own.
    process.nextTick(this.#flushHeadIfIdle, ctl);
  }

  onResponseData(ctl: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.responded) return; // the body of a response this attempt gave up on
    this.#relayed = true;
    const res = this.#f.res;
    if (!res.write(chunk)) {
      ctl.pause();
      res.once('drain', () => ctl.resume());
    }
  }

  onResponseEnd(): void {
    if (!this.responded) return;
    this.#complete = true;
    this.#f.res.end();
  }

  onResponseError(_ctl: Dispatcher.DispatchController, err: Error): void {
    this.#failed(err);
  }

  #failed(err: Error): void {
    const f = this.#f;
    if (this.#settled) return;
    if (this.responded) {
      // The pod went away mid-body: cut the client off rather than end its response short.
      f.res.destroy();
      return this.#settle({ kind: 'done', status: f.res.statusCode }, false);
    }
    // undici reports a connection closed under the request with the socket's byte counts: bytes
    // read before this request's answer mean earlier responses, i.e. a reused keep-alive socket.
    this.reused = ((err as { socket?: { bytesRead?: number } }).socket?.bytesRead ?? 0) > 0;
    const retry = classifyFailure(err as NodeJS.ErrnoException, this, f.req.method ?? 'GET', f.body !== undefined);
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    if (retry) this.#settle({ kind: 'retry', reason: retry, error: err }, false);
    else if (this.timedOut) this.#settle({ kind: 'error', code: 'ACT_REVISION_TIMEOUT', message: `the pod did not answer within ${f.timeoutMs} ms` }, false);
    else this.#settle({ kind: 'error', code: 'ACT_UPSTREAM', message: `the pod failed: ${code}` }, false);
  }

  #stop(reason: Error): void {
    if (this.#ctl) this.#ctl.abort(reason);
    else this.#abandoned = reason;
  }

  readonly #onTimeout = (): void => {
    this.timedOut = true;
    const err = new Error('revision timeout');
    this.#stop(err);
    // Not connected yet: undici will only tell once the connect attempt ends; answer now.
    if (!this.#ctl) this.#failed(err);
  };

  readonly #flushHeadIfIdle = (): void => {
    const res = this.#f.res;
    // A complete response (no body, or all of it already here) is being written whole anyway.
    if (this.#relayed || this.#complete || res.writableEnded || res.destroyed) return;
    res.flushHeaders();
  };

  readonly #onClientClose = (): void => {
    const res = this.#f.res;
    if (res.writableFinished) return this.#settle({ kind: 'done', status: this.#status || res.statusCode }, true);
    // The client went away first: settle (undici reports the abort synchronously), then stop the pod's side too.
    this.#settle({ kind: 'done', status: 499 }, true);
    this.#stop(new Error('the client went away'));
  };

  #settle(r: ForwardResult, fromClientClose: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#f.clock.clearTimeout(this.#timer as TimerHandle);
    if (!fromClientClose) this.#f.res.off('close', this.#onClientClose);
    this.#done(r);
  }
}

/** `http://ip:port` (IPv6 in brackets). */
export function originOf(t: ForwardTarget): string {
  return t.origin ?? `http://${t.ip.includes(':') ? `[${t.ip}]` : t.ip}:${t.port}`;
}

/** One attempt to send the request to one pod and relay its response to the client; `done` is called exactly once. */
export function forward(f: ForwardRequest, done: (r: ForwardResult) => void): void {
  new Attempt(f, done).start();
}

/** `forward` as a promise. */
export function forwardOnce(f: ForwardRequest): Promise<ForwardResult> {
  return new Promise<ForwardResult>((resolve) => forward(f, resolve));
}

/**
 * The body to forward: none (empty buffer) for bodyless requests, the whole body when its
 * Content-Length is at most `maxBytes` (so a retry can replay it), else undefined (streamed, and
 * then only connect failures are retried).
 */
export async function bufferSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const plan = bodyPlan(req, maxBytes);
  return plan === 'buffer' ? readBody(req) : plan;
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Pure, from the head alone: EMPTY (no body), undefined (stream it) or 'buffer' (read it whole first). */
export function bodyPlan(req: IncomingMessage, maxBytes: number): Buffer | undefined | 'buffer' {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  if (te === undefined && (cl === undefined || cl === '0')) return EMPTY;
  if (te !== undefined || cl === undefined) return undefined;
  const n = Number(cl);
  if (!Number.isSafeInteger(n) || n < 0 || n > maxBytes) return undefined;
  return 'buffer';
}

export const EMPTY = Buffer.alloc(0);

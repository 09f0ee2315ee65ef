import { request, type Agent, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from './clock.js';
import type { ActivatorErrorCode } from './errors.js';
import { endToEndHeaders } from './headers.js';

export interface ForwardTarget {
  ip: string;
  port: number;
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  target: ForwardTarget;
  /** A raw list ([name, value, ...], as `podRequestHeaders` builds it) or an object. */
  headers: readonly string[] | OutgoingHttpHeaders;
  /** The whole body, buffered (replayable), or undefined: stream `req` once the pod's socket is connected. */
  body: Buffer | undefined;
  agent: Agent;
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

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNABORTED']);
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

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
 * One attempt: the request to one pod, its response relayed to the client, `done` called exactly
 * once. Every emitter here is this attempt's own: listeners are `on` (no once-wrappers) and bound
 * once per attempt; the client's `close` is the one event that ends a relayed response (finished →
 * the pod's status; not finished → the client went away, 499).
 */
class Attempt implements AttemptState {
  connected = false;
  reused = false;
  bodyStarted = false;
  responded = false;
  timedOut = false;
  readonly #f: ForwardRequest;
  readonly #done: (r: ForwardResult) => void;
  readonly #up: ClientRequest;
  #upRes: IncomingMessage | undefined;
  #status = 0;
  /** a response body byte was written to the client (the head went with it) */
  #relayed = false;
  #timer: TimerHandle | undefined;
  #settled = false;

  constructor(f: ForwardRequest, done: (r: ForwardResult) => void) {
    this.#f = f;
    this.#done = done;
    const { req } = f;
    const headers = f.headers as OutgoingHttpHeaders; // node:http takes a raw list too (same format as rawHeaders)
    this.#up = request({ host: f.target.ip, port: f.target.port, method: req.method ?? 'GET', path: req.url, headers, agent: f.agent, setHost: false });
  }

  start(): void {
    const up = this.#up;
    this.#timer = this.#f.clock.setTimeout(this.#onTimeout, this.#f.timeoutMs);
    this.#f.res.on('close', this.#onClientClose);
    up.on('response', this.#onResponse);
    up.on('error', this.#onError);
    // The agent hands out an idle keep-alive socket synchronously: it is connected, send at once.
    if (up.reusedSocket) {
      this.reused = true;
      this.#sendBody();
    } else {
      up.on('socket', this.#onSocket);
    }
  }

  readonly #onSocket = (sock: Socket): void => {
    if (sock.connecting) sock.once('connect', this.#sendBody);
    else this.#sendBody();
  };

  readonly #sendBody = (): void => {
    this.connected = true;
    const body = this.#f.body;
    if (body === undefined) {
      this.bodyStarted = true;
      this.#f.req.pipe(this.#up);
    } else if (body.length === 0) {
      this.#up.end();
    } else {
      this.#up.end(body);
    }
  };

  readonly #onTimeout = (): void => {
    this.timedOut = true;
    this.#up.destroy(new Error('revision timeout'));
  };

  readonly #onResponse = (upRes: IncomingMessage): void => {
    this.responded = true;
    this.#f.clock.clearTimeout(this.#timer as TimerHandle);
    this.#f.onResponseStart?.();
    this.#upRes = upRes;
    this.#status = upRes.statusCode ?? 502;
    this.#f.res.writeHead(this.#status, upRes.statusMessage, endToEndHeaders(upRes.rawHeaders));
    // Relayed by hand rather than with pipe(): three listeners instead of pipe's bookkeeping, same backpressure.
    upRes.on('data', this.#onData);
    upRes.on('end', this.#onEnd);
    // The pod went away mid-body: upRes closes before it is complete (its 'error' is only emitted
    // when someone listens); cut the client off rather than end its response short.
    upRes.on('close', this.#onUpClose);
    // Node sends the head with the first body chunk; a body that came with the head is written
    // by the time this tick is over (flowing starts on the tick queue). Otherwise send the head now.
    process.nextTick(this.#flushHeadIfIdle);
  };

  readonly #onData = (chunk: Buffer): void => {
    this.#relayed = true;
    if (!this.#f.res.write(chunk)) {
      this.#upRes?.pause();
      this.#f.res.once('drain', this.#onDrain);
    }
  };

  readonly #onDrain = (): void => void this.#upRes?.resume();

  readonly #onEnd = (): void => void this.#f.res.end();

  readonly #onUpClose = (): void => {
    if (this.#upRes?.complete === false) this.#f.res.destroy();
  };

  readonly #flushHeadIfIdle = (): void => {
    const res = this.#f.res;
    // A complete response (no body, or all of it already here) is about to be written whole anyway.
    if (this.#relayed || this.#upRes?.complete === true || res.writableEnded || res.destroyed) return;
    res.flushHeaders();
  };

  readonly #onClientClose = (): void => {
    const res = this.#f.res;
    if (res.writableFinished) return this.#settle({ kind: 'done', status: this.#status || res.statusCode }, true);
    // The client went away first: stop the pod's side too.
    this.#up.destroy();
    if (this.#upRes?.complete === false) this.#upRes.destroy();
    this.#settle({ kind: 'done', status: 499 }, true);
  };

  readonly #onError = (err: NodeJS.ErrnoException): void => {
    if (this.responded) {
      this.#f.res.destroy();
      this.#settle({ kind: 'done', status: this.#f.res.statusCode }, false);
      return;
    }
    const f = this.#f;
    const retry = classifyFailure(err, this, f.req.method ?? 'GET', f.body !== undefined);
    if (retry) this.#settle({ kind: 'retry', reason: retry, error: err }, false);
    else if (this.timedOut) this.#settle({ kind: 'error', code: 'ACT_REVISION_TIMEOUT', message: `the pod did not answer within ${f.timeoutMs} ms` }, false);
    else this.#settle({ kind: 'error', code: 'ACT_UPSTREAM', message: `the pod failed: ${err.code ?? err.message}` }, false);
  };

  #settle(r: ForwardResult, fromClientClose: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#f.clock.clearTimeout(this.#timer as TimerHandle);
    if (!fromClientClose) this.#f.res.off('close', this.#onClientClose);
    if (this.bodyStarted && r.kind !== 'done') this.#f.req.unpipe(this.#up);
    this.#done(r);
  }
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

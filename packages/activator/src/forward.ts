import { request, type Agent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from './clock.js';
import type { ActivatorErrorCode } from './errors.js';
import { stripHopByHop } from './headers.js';

export interface ForwardTarget {
  ip: string;
  port: number;
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  target: ForwardTarget;
  headers: OutgoingHttpHeaders;
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

function relayResponse(f: ForwardRequest, upRes: IncomingMessage, settle: (r: ForwardResult) => void): void {
  const { res } = f;
  const status = upRes.statusCode ?? 502;
  res.writeHead(status, upRes.statusMessage, stripHopByHop(upRes.headers));
  upRes.pipe(res);
  upRes.on('error', () => res.destroy());
  upRes.on('aborted', () => res.destroy());
  res.on('finish', () => settle({ kind: 'done', status }));
  res.on('close', () => {
    if (!upRes.complete) upRes.destroy();
    settle({ kind: 'done', status });
  });
}

/** One attempt to send the request to one pod and relay its response to the client. */
export function forwardOnce(f: ForwardRequest): Promise<ForwardResult> {
  const { req, res, clock } = f;
  const method = req.method ?? 'GET';
  return new Promise<ForwardResult>((resolve) => {
    const s: AttemptState = { connected: false, reused: false, bodyStarted: false, responded: false, timedOut: false };
    let settled = false;
    const up = request({ host: f.target.ip, port: f.target.port, method, path: req.url, headers: f.headers, agent: f.agent, setHost: false });
    const timer = clock.setTimeout(() => {
      s.timedOut = true;
      up.destroy(new Error('revision timeout'));
    }, f.timeoutMs);
    const settle = (r: ForwardResult): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      res.off('close', onClientClose);
      if (s.bodyStarted && r.kind !== 'done') req.unpipe(up);
      resolve(r);
    };
    const onClientClose = (): void => {
      if (res.writableFinished) return;
      up.destroy();
      settle({ kind: 'done', status: 499 });
    };
    res.on('close', onClientClose);
    const sendBody = (): void => {
      s.connected = true;
      if (f.body !== undefined) {
        up.end(f.body);
      } else {
        s.bodyStarted = true;
        req.pipe(up);
      }
    };
    up.on('socket', (sock: Socket) => {
      s.reused = up.reusedSocket;
      if (sock.connecting) sock.once('connect', sendBody);
      else sendBody();
    });
    up.on('response', (upRes) => {
      s.responded = true;
      clock.clearTimeout(timer);
      f.onResponseStart?.();
      relayResponse(f, upRes, settle);
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (s.responded) {
        res.destroy();
        settle({ kind: 'done', status: res.statusCode });
        return;
      }
      const retry = classifyFailure(err, s, method, f.body !== undefined);
      if (retry) settle({ kind: 'retry', reason: retry, error: err });
      else if (s.timedOut) settle({ kind: 'error', code: 'ACT_REVISION_TIMEOUT', message: `the pod did not answer within ${f.timeoutMs} ms` });
      else settle({ kind: 'error', code: 'ACT_UPSTREAM', message: `the pod failed: ${err.code ?? err.message}` });
    });
  });
}

/**
 * The body to forward: none (empty buffer) for bodyless requests, the whole body when its
 * Content-Length is at most `maxBytes` (so a retry can replay it), else undefined (streamed, and
 * then only connect failures are retried).
 */
export async function bufferSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  if (te === undefined && (cl === undefined || cl === '0')) return EMPTY;
  if (te !== undefined || cl === undefined) return undefined;
  const n = Number(cl);
  if (!Number.isSafeInteger(n) || n < 0 || n > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const EMPTY = Buffer.alloc(0);

// The local runtime's API server (node:http): the Kubernetes-shaped surface the autoscaler and the
// activator use when they run as separate processes. Routes, bodies (zod) and the NDJSON watch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { RuntimeError } from './errors.js';
import { deployRequestSchema, describeIssue, killRequestSchema, scaleRequestSchema, type ErrorBody, type WatchEvent } from './server-api.js';
import { RevisionRegistry } from './server-registry.js';
import type { LocalRuntime } from './types.js';

export interface RuntimeServerOptions {
  runtime: LocalRuntime;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  logger?: Logger;
  /** A `heartbeat` line on every watch this often. Default 10 000. */
  heartbeatMs?: number;
}

export interface RuntimeServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** Ends every watch and stops listening (the runtime itself is the caller's to close). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Partial<Record<string, number>> = {
  RUNTIME_UNKNOWN_REVISION: 404,
  RUNTIME_POD_NOT_FOUND: 404,
  RUNTIME_INVALID_TEMPLATE: 400,
  RUNTIME_INVALID_REPLICAS: 400,
  RUNTIME_CLOSED: 503,
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  let body: ErrorBody;
  let status = 500;
  if (err instanceof HttpError) {
    status = err.status;
    body = { error: { code: err.code, message: err.message, ...(err.field !== undefined ? { field: err.field } : {}) } };
  } else if (err instanceof RuntimeError) {
    status = STATUS_OF[err.code] ?? 500;
    body = { error: { code: err.code, message: err.message } };
  } else {
    body = { error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
  }
  if (!res.headersSent) send(res, status, body);
  else res.destroy();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, 'INVALID_JSON', `body is not JSON: ${(err as Error).message}`);
  }
}

async function parseBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const input = await readJson(req);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error, input);
    throw new HttpError(400, 'INVALID_BODY', message, field);
  }
  return parsed.data;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEG = '([^/]+)';

function routes(reg: RevisionRegistry, rt: LocalRuntime, watch: Handler): Route[] {
  const p = (s: string): RegExp => new RegExp(`^${s}$`);
  return [
    { method: 'GET', pattern: p('/healthz'), handler: (_q, res) => send(res, 200, { ok: true }) },
    {
      method: 'POST', pattern: p('/v1/revisions'), handler: async (req, res) => {
        const { created, resource } = reg.deploy(await parseBody(req, deployRequestSchema));
        send(res, created ? 201 : 200, resource);
      },
    },
    { method: 'GET', pattern: p('/v1/revisions'), handler: (_q, res) => send(res, 200, { items: reg.list() }) },
    { method: 'GET', pattern: p(`/v1/revisions/${SEG}/${SEG}`), handler: (_q, res, [ns, rev]) => send(res, 200, reg.get(ns as string, rev as string)) },
    {
      method: 'DELETE', pattern: p(`/v1/revisions/${SEG}/${SEG}`), handler: (_q, res, [ns, rev]) => {
        reg.delete(ns as string, rev as string);
        send(res, 200, { deleted: { namespace: ns, revision: rev } });
      },
    },
    { method: 'GET', pattern: p(`/v1/revisions/${SEG}/${SEG}/scale`), handler: (_q, res, [ns, rev]) => send(res, 200, reg.scaleOf(ns as string, rev as string)) },
    {
      method: 'PUT', pattern: p(`/v1/revisions/${SEG}/${SEG}/scale`), handler: async (req, res, [ns, rev]) => {
        const { replicas } = await parseBody(req, scaleRequestSchema);
        send(res, 200, reg.setScale(ns as string, rev as string, replicas));
      },
    },
    { method: 'GET', pattern: p(`/v1/revisions/${SEG}/${SEG}/pods`), handler: (_q, res, [ns, rev]) => send(res, 200, { items: reg.pods(ns as string, rev as string) }) },
    {
      method: 'POST', pattern: p(`/v1/pods/${SEG}/kill`), handler: async (req, res, [name]) => {
        const { signal, container } = await parseBody(req, killRequestSchema);
        rt.killPod(name as string, signal, container);
        send(res, 202, { killed: { pod: name, signal, ...(container ? { container } : {}) } });
      },
    },
    { method: 'GET', pattern: p('/v1/watch'), handler: watch },
  ];
}

function watchHandler(reg: RevisionRegistry, streams: Set<ServerResponse>, heartbeatMs: number): Handler {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const write = (e: WatchEvent): void => {
      if (!res.destroyed) res.write(`${JSON.stringify(e)}\n`);
    };
    const unsubscribe = reg.subscribe(write);
    const beat = setInterval(() => write({ type: 'heartbeat' }), heartbeatMs);
    streams.add(res);
    const done = (): void => {
      clearInterval(beat);
      unsubscribe();
      streams.delete(res);
    };
    req.socket.setKeepAlive(true);
    res.once('close', done);
  };
}

function dispatch(table: Route[], logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const matching = table.filter((r) => r.pattern.test(path));
    const route = matching.find((r) => r.method === req.method);
    if (route === undefined) {
      const err = matching.length > 0
        ? new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} ${path}: allowed ${matching.map((r) => r.method).join(', ')}`)
        : new HttpError(404, 'NOT_FOUND', `no route for ${req.method ?? '?'} ${path}`);
      sendError(res, err);
      return;
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map((s) => decodeURIComponent(s));
    Promise.resolve()
      .then(() => route.handler(req, res, params))
      .catch((err: unknown) => {
        if (!(err instanceof HttpError) && !(err instanceof RuntimeError)) logger.error({ err, path }, 'request failed');
        sendError(res, err);
      });
  };
}

/** Serves `runtime` over HTTP; resolves once listening. */
export async function startRuntimeServer(opts: RuntimeServerOptions): Promise<RuntimeServer> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const reg = new RevisionRegistry(opts.runtime, logger);
  const streams = new Set<ServerResponse>();
  const table = routes(reg, opts.runtime, watchHandler(reg, streams, opts.heartbeatMs ?? 10_000));
  const server: Server = createServer(dispatch(table, logger));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'runtime API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        reg.close();
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

// The HTTPS server the apiserver calls: POST /mutate-pods and /validate (AdmissionReview v1 in and
// out), GET /healthz and /metrics. A body that is not an AdmissionReview gets a 400 naming the
// problem; nothing a client sends can crash the process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AutoscalerConfig } from '@kpa-ts/config';
import { parseAdmissionReviewText, reviewResponse } from './admission-review.js';
import type { Admission } from './admit.js';
import { admitMutation, admitValidation } from './admit.js';
import type { TlsMaterial } from './certs.js';
import { WebhookError } from './errors.js';
import type { InjectionConfig } from './injection-config.js';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.js';

export const MUTATE_PODS_PATH = '/mutate-pods';
export const VALIDATE_PATH = '/validate';
/** The apiserver caps requests at 3 MiB; anything above this is not from it. */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface WebhookServerOptions {
  tls: TlsMaterial;
  /** Default 0.0.0.0. */
  host?: string;
  /** Default 8443; 0 = any free port. */
  port?: number;
  injection: InjectionConfig;
  autoscalerConfig: () => AutoscalerConfig;
  systemNamespace: string;
  registry: Registry;
  logger: Logger;
  maxBodyBytes?: number;
}

export interface WebhookServer {
  readonly port: number;
  /** `https://<host>:<port>` (127.0.0.1 when bound to every address). */
  readonly url: string;
  /** Swap the serving certificate (a rotated Secret) without dropping connections. */
  setTls(tls: TlsMaterial): void;
  close(): Promise<void>;
}

type Route = (text: string) => Admission;

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering, discard the rest; the 413 goes out with `Connection: close`.
        req.off('data', onData);
        req.resume();
        reject(new WebhookError('WEBHOOK_BODY_TOO_LARGE', `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...(status === 413 ? { connection: 'close' } : {}) });
  res.end(body);
}

async function answer(req: IncomingMessage, res: ServerResponse, route: Route, ctx: { metrics: WebhookMetrics; logger: Logger; limit: number }): Promise<void> {
  const start = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
  try {
    const admission = route(await readBody(req, ctx.limit));
    send(res, 200, JSON.stringify(reviewResponse(admission.response)), 'application/json');
    ctx.metrics.admission(admission.kind, admission.result, seconds());
    ctx.logger.debug({ path: req.url, kind: admission.kind, result: admission.result, detail: admission.detail, uid: admission.response.uid }, 'admission');
  } catch (err) {
    const known = err instanceof WebhookError;
    const status = known ? (err.code === 'WEBHOOK_BODY_TOO_LARGE' ? 413 : 400) : 500;
    const message = err instanceof Error ? err.message : String(err);
    send(res, status, `${message}\n`);
    ctx.metrics.admission('', 'invalid', seconds());
    ctx.logger.warn({ path: req.url, status, err: message }, 'admission request rejected');
  }
}

function createHandler(opts: WebhookServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const metrics = createWebhookMetrics(opts.registry);
  const ctx = { metrics, logger: opts.logger, limit: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES };
  const routes: Record<string, Route> = {
    [MUTATE_PODS_PATH]: (text) => admitMutation(parseAdmissionReviewText(text).request, { injection: opts.injection }),
    [VALIDATE_PATH]: (text) =>
      admitValidation(parseAdmissionReviewText(text).request, { autoscalerConfig: opts.autoscalerConfig, systemNamespace: opts.systemNamespace }),
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (route !== undefined) {
      if (req.method !== 'POST') return send(res, 405, 'POST an AdmissionReview\n');
      void answer(req, res, route, ctx);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok\n');
    if (req.method === 'GET' && path === '/metrics') {
      void opts.registry.metrics().then((text) => send(res, 200, text, opts.registry.contentType));
      return;
    }
    send(res, 404, 'not found\n');
  };
}

/** Starts the HTTPS server; resolves once it listens. */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, createHandler(opts));
  server.on('clientError', (_err, socket) => socket.destroy());
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8443, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    port,
    url: `https://${shownHost}:${port}`,
    setTls: (tls) => server.setSecureContext({ cert: tls.cert, key: tls.key }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

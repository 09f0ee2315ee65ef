import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The metrics port: `GET /metrics` (Prometheus text) and the readiness endpoint `GET /ready`
 * (alias `/healthz`): 200 when ready, 503 when not or draining. Kept off the serving port so no
 * path of the user's app is shadowed.
 */
export function createAdminServer(registry: Registry, readiness: { readonly ready: boolean }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
      return;
    }
    if (path === '/ready' || path === '/healthz') {
      const ready = readiness.ready;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

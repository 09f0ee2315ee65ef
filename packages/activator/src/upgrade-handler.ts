import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROXIED_HEADER, PROXIED_HEADER_VALUE } from './bus-types.js';
import { ActivatorError, statusForError } from './errors.js';
import type { GatewayDeps, GatewayOptions } from './gateway.js';
import { requestHeadersForPod } from './headers.js';
import { parseRoute } from './route.js';
import type { Lease, RevisionThrottler } from './throttler.js';
import { forwardUpgrade } from './upgrade.js';

function reject(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) return;
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body) + 1}\r\nconnection: close\r\n\r\n${body}\n`);
}

/**
 * WebSocket (HTTP/1.1 Upgrade) requests: routed and throttled like any request (the connection
 * holds one pod slot for its lifetime), then the sockets are spliced.
 */
export function createUpgradeHandler(o: GatewayOptions, d: GatewayDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const run = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const route = parseRoute(req.headers, o.domain);
    if (!route.ok) {
      d.metrics.unroutable.inc({ reason: 'bad-host' });
      return reject(socket, 404, route.reason);
    }
    const { namespace: ns, revision: rev } = route.ref;
    const th = d.revisions.get(ns, rev);
    if (!th) {
      d.metrics.unroutable.inc({ reason: 'unknown-revision' });
      return reject(socket, 404, `revision "${rev}" in namespace "${ns}" is not known to this activator`);
    }
    const mode = th.effectiveMode();
    if (th.readyCount === 0) d.reporter.poke(ns, rev);
    if (mode === 'proxy') d.reporter.begin(ns, rev);
    try {
      await splice(th, mode === 'proxy', req, socket, head);
    } catch (err) {
      const e = err instanceof ActivatorError ? err : new ActivatorError('ACT_UPSTREAM', String(err));
      reject(socket, statusForError(e.code), e.message);
    } finally {
      if (mode === 'proxy') d.reporter.end(ns, rev);
    }
  };

  const splice = async (th: RevisionThrottler, proxied: boolean, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const headers = requestHeadersForPod(req.headers, {
      clientIp: req.socket.remoteAddress,
      proto: 'http',
      proxiedHeader: { name: PROXIED_HEADER, value: PROXIED_HEADER_VALUE, set: proxied },
      upgrade: String(req.headers.upgrade ?? 'websocket'),
    });
    const exclude = new Set<string>();
    const controller = new AbortController();
    socket.once('close', () => controller.abort());
    for (let n = 1; ; n++) {
      const lease: Lease = th.tryAcquire(exclude) ?? (await th.acquire({ exclude, queueTimeoutMs: o.queueTimeoutMs, signal: controller.signal }));
      const r = await forwardUpgrade(req, socket, head, lease.pod, headers).finally(() => lease.release());
      if (r.kind === 'done') return;
      if (r.kind === 'error') throw new ActivatorError('ACT_UPSTREAM', r.message);
      if (n >= o.maxAttempts) throw new ActivatorError('ACT_NO_POD', `${n} upgrade attempts failed, last on ${lease.pod.dest}`);
      exclude.add(lease.pod.dest);
    }
  };

  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    run(req, socket, head).catch(() => socket.destroy());
  };
}

import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ForwardTarget } from './forward.js';

export type UpgradeResult =
  | { kind: 'done'; status: number }
  | { kind: 'retry'; error: Error }
  | { kind: 'error'; message: string };

function rawHead(status: number, message: string | undefined, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${message ?? ''}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * Forwards an HTTP/1.1 Upgrade (WebSocket) handshake to one pod and, on 101, splices the two
 * sockets. Resolves when both sides are closed (the pod slot is held that long, as Knative counts
 * a WebSocket as one request for its lifetime). A connect failure is reported for a retry.
 */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: ForwardTarget, headers: OutgoingHttpHeaders): Promise<UpgradeResult> {
  return new Promise<UpgradeResult>((resolve) => {
    let settled = false;
    let connected = false;
    const settle = (r: UpgradeResult): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const up = request({ host: target.ip, port: target.port, method: req.method, path: req.url, headers, agent: false, setHost: false });
    up.on('socket', (s) => s.once('connect', () => (connected = true)));
    up.on('upgrade', (upRes, upSocket, upHead) => {
      client.write(rawHead(upRes.statusCode ?? 101, upRes.statusMessage, upRes.rawHeaders));
      if (upHead.length > 0) client.write(upHead);
      if (head.length > 0) upSocket.write(head);
      const close = (): void => {
        upSocket.destroy();
        client.destroy();
        settle({ kind: 'done', status: upRes.statusCode ?? 101 });
      };
      upSocket.on('error', close).on('close', close);
      client.on('error', close).on('close', close);
      upSocket.pipe(client);
      client.pipe(upSocket);
    });
    up.on('response', (upRes) => {
      // Not upgraded: relay as a close-delimited response (the body is already de-chunked).
      const kept: string[] = [];
      for (let i = 0; i + 1 < upRes.rawHeaders.length; i += 2) {
        const name = upRes.rawHeaders[i] as string;
        if (!/^(transfer-encoding|connection|keep-alive|content-length)$/i.test(name)) kept.push(name, upRes.rawHeaders[i + 1] as string);
      }
      kept.push('Connection', 'close');
      client.write(rawHead(upRes.statusCode ?? 502, upRes.statusMessage, kept));
      upRes.pipe(client);
      upRes.on('end', () => client.end());
      client.on('close', () => {
        upRes.destroy();
        settle({ kind: 'done', status: upRes.statusCode ?? 502 });
      });
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) settle({ kind: 'retry', error: err });
      else settle({ kind: 'error', message: `the pod failed the upgrade: ${err.code ?? err.message}` });
    });
    client.on('close', () => {
      if (!settled && !connected) up.destroy();
    });
    up.end();
  });
}

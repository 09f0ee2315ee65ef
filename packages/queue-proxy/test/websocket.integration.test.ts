import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@kpa-ts/testkit';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { HOST, startProxy } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A ws echo server on /echo; other paths answer 404 without upgrading. */
async function echoServer(): Promise<{ port: number; seen: IncomingHttpHeaders[]; closed: () => number }> {
  const seen: IncomingHttpHeaders[] = [];
  let closed = 0;
  const server = createServer((_req, res) => res.writeHead(404).end('no'));
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/echo') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n');
      return;
    }
    seen.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data, { binary: isBinary }));
      ws.on('close', () => (closed += 1));
    });
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: HOST }, () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as AddressInfo).port, seen, closed: () => closed };
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: RawData, isBinary: boolean) => resolve({ data: data as Buffer, isBinary })));
}

describe('queue-proxy: WebSocket upgrades', () => {
  it('relays the upgrade and echoes text and binary frames both ways', async () => {
    const up = await echoServer();
    const p = await startProxy(up.port, { CONTAINER_CONCURRENCY: '2' });
    cleanups.push(() => p.close());
    const ws = new WebSocket(`ws://${HOST}:${p.port}/echo`, { headers: { 'K-Proxied-By': 'activator' } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    // The open connection is one request in flight (proxied), holding one breaker slot.
    expect(p.qp.stats.concurrency).toBe(1);
    expect(p.qp.stats.proxiedConcurrency).toBe(1);
    expect(p.qp.breaker?.inFlight).toBe(1);

    const text = nextMessage(ws);
    ws.send('hello through the queue-proxy');
    expect(await text).toMatchObject({ isBinary: false });
    expect((await text).data.toString()).toBe('hello through the queue-proxy');
    const big = Buffer.alloc(256 * 1024, 7);
    const bin = nextMessage(ws);
    ws.send(big);
    const got = await bin;
    expect(got.isBinary).toBe(true);
    expect(got.data.equals(big)).toBe(true);

    expect(up.seen[0]?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(up.seen[0]?.['upgrade']).toBe('websocket');
    ws.close();
    await waitFor(() => up.closed() === 1, { what: 'upstream saw the close' });
    await waitFor(() => p.qp.stats.concurrency === 0 && p.qp.breaker?.inFlight === 0, { what: 'slot released' });
    expect(p.qp.reporter.tick()).toMatchObject({ reqs: 1, preqs: 1 });
  });

  it('relays a refused upgrade (the app answers 404) and closes', async () => {
    const up = await echoServer();
    const p = await startProxy(up.port);
    cleanups.push(() => p.close());
    const ws = new WebSocket(`ws://${HOST}:${p.port}/elsewhere`);
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('should not open')));
      ws.once('error', () => undefined);
    });
    expect(status).toBe(404);
    await waitFor(() => p.qp.stats.concurrency === 0, { what: 'nothing in flight' });
  });

  it('answers 502 to an upgrade when the app is down', async () => {
    const p = await startProxy(1); // nothing listens on port 1
    cleanups.push(() => p.close());
    const ws = new WebSocket(`ws://${HOST}:${p.port}/echo`);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    expect(status).toBe(502);
  });
});

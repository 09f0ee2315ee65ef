// A TCP proxy on 127.0.0.1 in front of the apiserver (TLS goes through it end to end) that a test
// can cut, as a network partition would, and restore on the same port.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CuttableProxy {
  url: string;
  /** Stops accepting and resets every open connection. */
  cut(): Promise<void>;
  /** Accepts again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A proxy to `target` (https://127.0.0.1:port); only loopback targets. */
export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const t = new URL(target);
  if (!t.hostname.startsWith('127.')) throw new Error(`refusing to proxy to ${t.hostname}: loopback only`);
  const sockets = new Set<Socket>();
  const make = (): Server =>
    createServer((client) => {
      const upstream = connect(Number(t.port), t.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  let server = make();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const closeServer = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return {
    url: `https://127.0.0.1:${port}`,
    async cut() {
      const closed = closeServer();
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
    async restore() {
      server = make();
      await listen(port);
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await closeServer();
    },
  };
}

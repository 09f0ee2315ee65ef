import { createServer } from 'node:net';

/** A TCP port that was free on `host` a moment ago (the OS picked it for a listen on port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: listen returned no port'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

import { createServer } from 'node:net';

/** Tries to listen on ip:port and closes again: undefined when it worked, else the error code. */
function tryListen(ip: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EUNKNOWN'));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/**
 * Checks that every port is free on `ip` before a pod is placed there. Returns the first error
 * code (EADDRINUSE: someone is there; EADDRNOTAVAIL: the address is not on this host) or undefined.
 * Best effort: the port can still be taken between the check and the child's bind, which the pod
 * handles as a crash (and its replacement gets the next address).
 */
export async function checkAddressFree(ip: string, ports: readonly number[]): Promise<string | undefined> {
  for (const port of ports) {
    const code = await tryListen(ip, port);
    if (code !== undefined) return code;
  }
  return undefined;
}

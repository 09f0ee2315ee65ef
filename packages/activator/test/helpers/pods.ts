import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Endpoint } from '../../src/topology.js';

export interface TestPod {
  name: string;
  ip: string;
  port: number;
  /** requests seen, with their headers */
  seen: { url: string; headers: IncomingHttpHeaders; body: string }[];
  inFlight: number;
  maxInFlight: number;
  endpoint(ready?: boolean): Endpoint;
  close(): Promise<void>;
}

/**
 * A tiny upstream "pod" on a 127.x address: answers `pod=<name>`, after `?delay=<ms>` if asked,
 * and counts its in-flight requests (max included) so tests can check the activator's throttling.
 */
export async function startPod(name: string, ip: string): Promise<TestPod> {
  const pod: Omit<TestPod, 'port' | 'endpoint' | 'close'> = { name, ip, seen: [], inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    pod.inFlight += 1;
    pod.maxInFlight = Math.max(pod.maxInFlight, pod.inFlight);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pod.seen.push({ url: req.url ?? '', headers: req.headers, body });
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? '0');
      setTimeout(() => {
        pod.inFlight -= 1;
        res.writeHead(200, { 'content-type': 'text/plain', 'x-pod': name }).end(`pod=${name}${body ? ` body=${body}` : ''}`);
      }, delay);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, ip, () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(pod, {
    port,
    endpoint: (ready = true): Endpoint => ({ pod: name, ip, port, ready }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kpa-ts/testkit';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startActivator, type TestActivator } from './helpers/activator.js';

// The response relay (forward.ts) at its edges, against a pod whose behaviour each test scripts.
const IP = '127.77.1.1';
type Script = (req: IncomingMessage, res: ServerResponse) => void;

describe('response relay: head, body, and either side going away', () => {
  let a: TestActivator;
  let pod: Server;
  let script: Script = (_req, res) => res.end('ok');
  const podClosedEarly: string[] = [];

  beforeAll(async () => {
    pod = createServer((req, res) => {
      res.on('close', () => {
        if (!res.writableFinished) podClosedEarly.push(req.url ?? '');
      });
      script(req, res);
    });
    await new Promise<void>((r) => pod.listen(0, IP, () => r()));
    a = await startActivator();
    a.topology.upsertRevision({ namespace: 'default', revision: 'relay', containerConcurrency: 0 });
    a.topology.setEndpoints('default', 'relay', [{ pod: 'relay-1', ip: IP, port: (pod.address() as AddressInfo).port, ready: true }]);
  });
  afterAll(async () => {
    await a.close();
    pod.closeAllConnections();
    await new Promise<void>((r) => pod.close(() => r()));
  });

  /** A GET through the activator; resolves at the response head with the response stream. */
  const get = (path: string): Promise<{ res: IncomingMessage; headMs: number; t0: number; req: ReturnType<typeof request> }> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port: a.port, path, headers: { host: 'relay.default.kpa.local' }, agent: false }, (res) =>
        resolve({ res, headMs: performance.now() - t0, t0, req }),
      );
      req.on('error', reject);
      req.end();
    });
  const countOf = async (code: number): Promise<number> => {
    const m = /activator_request_count\{namespace="default",revision="relay",code="(\d+)"\} (\d+)/g;
    let n = 0;
    for (const [, c, v] of (await a.registry.metrics()).matchAll(m)) if (Number(c) === code) n = Number(v);
    return n;
  };

  it('sends the head at once when the body comes later (a streamed response)', async () => {
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      setTimeout(() => res.end('late body'), 400);
    };
    const { res, headMs, t0 } = await get('/slow-body');
    let body = '';
    for await (const c of res) body += String(c);
    expect(body).toBe('late body');
    expect(headMs).toBeLessThan(300);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
  });

  it('relays end-to-end response headers with their case, drops hop-by-hop ones and those Connection names', async () => {
    script = (_req, res) => {
      res.writeHead(200, ['X-Mixed-Case', 'yes', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'secret', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '2']);
      res.end('ok');
    };
    const { res } = await get('/headers');
    res.resume();
    expect(res.rawHeaders).toEqual(expect.arrayContaining(['X-Mixed-Case', 'yes']));
    expect(res.headers['x-hop']).toBeUndefined();
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('the pod dies mid-body → the client is cut off, not given a short body that looks complete', async () => {
    script = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 50);
    };
    const { res } = await get('/dies');
    const outcome = await new Promise<string>((resolve) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete end'));
      res.on('aborted', () => resolve('aborted'));
      res.on('error', () => resolve('error'));
    });
    expect(outcome).not.toBe('complete');
    await waitFor(() => a.activator.revisions.get('default', 'relay')?.inFlight === 0);
  });

  it('the client goes away mid-response → the pod side is closed, the slot freed, 499 counted', async () => {
    const before = await countOf(499);
    script = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('start');
    };
    const { req } = await get('/client-leaves');
    req.destroy();
    await waitFor(() => podClosedEarly.includes('/client-leaves'));
    await waitFor(() => a.activator.revisions.get('default', 'relay')?.inFlight === 0);
    await waitFor(async () => (await countOf(499)) === before + 1);
  });
});

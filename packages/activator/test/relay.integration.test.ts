import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kpa-ts/testkit';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

  it('relays end-to-end response headers (names lower-cased), drops hop-by-hop ones and those Connection names', async () => {
    script = (_req, res) => {
      res.writeHead(200, ['X-Mixed-Case', 'yes', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'secret', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '2']);
      res.end('ok');
    };
    const { res } = await get('/headers');
    res.resume();
    expect(res.headers['x-mixed-case']).toBe('yes');
    expect(res.headers['x-hop']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it.each([
    { name: 'HEAD', method: 'HEAD', status: 200 },
    { name: '204 No Content', method: 'GET', status: 204 },
    { name: '304 Not Modified', method: 'GET', status: 304 },
  ])('$name is relayed without a body, and the connection stays usable', async ({ method, status }) => {
    script = (_req, res) => {
      res.writeHead(status, status === 200 ? { 'content-length': '11', etag: '"x"' } : { etag: '"x"' });
      res.end();
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const once = (): Promise<{ status: number; body: string; length: string | undefined }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: a.port, method, path: '/nobody', headers: { host: 'relay.default.kpa.local' }, agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, length: res.headers['content-length'] }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await once();
      const second = await once(); // the same client connection: the first response ended cleanly
      for (const r of [first, second]) expect(r).toMatchObject({ status, body: '' });
      if (method === 'HEAD') expect(first.length).toBe('11');
    } finally {
      agent.destroy();
    }
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

  it('Expect: 100-continue is answered by the activator; the pod gets the body without the Expect header', async () => {
    script = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`expect=${String(req.headers['expect'])} body=${body}`));
    };
    const reply = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: a.port, method: 'POST', path: '/expect', headers: { host: 'relay.default.kpa.local', expect: '100-continue', 'content-length': '5' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('continue', () => req.end('hello'));
      req.on('error', reject);
    });
    expect(reply).toBe('200 expect=undefined body=hello');
  });

  it('a pod that closes an idle keep-alive connection just as a POST is sent on it → the POST goes to another pod', async () => {
    // `stale` answers the first request of a connection, then drops the connection on the next one
    // without answering: what a pod closing an idle keep-alive connection looks like to the activator.
    const perSocket = new WeakMap<object, number>();
    const stale = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      req.resume();
      req.on('end', () => res.end('stale'));
    });
    const good = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('good'));
    });
    await Promise.all([new Promise<void>((r) => stale.listen(0, '127.77.1.2', () => r())), new Promise<void>((r) => good.listen(0, '127.77.1.3', () => r()))]);
    const ep = (name: string, s: Server, ip: string): { pod: string; ip: string; port: number; ready: boolean } => ({ pod: name, ip, port: (s.address() as AddressInfo).port, ready: true });
    try {
      a.topology.upsertRevision({ namespace: 'default', revision: 'stale', containerConcurrency: 0 });
      a.topology.setEndpoints('default', 'stale', [ep('stale', stale, '127.77.1.2')]);
      const post = (body: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: a.port, method: 'POST', path: '/', headers: { host: 'stale.default.kpa.local', 'content-length': String(body.length) }, agent: false }, (res) => {
            let b = '';
            res.on('data', (c: Buffer) => (b += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
          });
          req.on('error', reject);
          req.end(body);
        });
      expect(await post('first')).toEqual({ status: 200, body: 'stale' }); // the connection to `stale` now idles in the pool
      a.topology.setEndpoints('default', 'stale', [ep('stale', stale, '127.77.1.2'), ep('good', good, '127.77.1.3')]);
      const replies = [];
      for (let i = 0; i < 4; i++) replies.push(await post(`b${i}`));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(await a.registry.metrics()).toMatch(/activator_retries_total\{namespace="default",revision="stale",reason="reset"\} [1-9]/);
    } finally {
      for (const s of [stale, good]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    }
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

import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { freePort, waitFor } from '@kpa-ts/testkit';
import { HOST, httpRequest, startProxy, startUpstream, type TestProxy, type Upstream } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(handler: Parameters<typeof startUpstream>[0], port?: number): Promise<Upstream> {
  const u = await startUpstream(handler, port);
  cleanups.push(() => u.close());
  return u;
}

async function proxy(userPort: number, env: Record<string, string> = {}): Promise<TestProxy> {
  const p = await startProxy(userPort, env);
  cleanups.push(() => p.close());
  return p;
}

/** An upstream that answers every request with exactly these bytes (to control hop-by-hop response headers). */
async function rawUpstream(response: string): Promise<number> {
  const server: TcpServer = createTcpServer((sock) => {
    sock.once('data', () => sock.write(response));
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: HOST }, () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

describe('queue-proxy: HTTP proxying over real sockets', () => {
  it('forwards method, path, query, body and headers, and appends X-Forwarded-*', async () => {
    const up = await upstream((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'x-from': 'upstream', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, headers: req.headers }));
      });
    });
    const p = await proxy(up.port);
    const r = await httpRequest(p.port, { method: 'POST', path: '/echo?x=1', body: 'payload', headers: { 'x-custom': 'v', 'x-forwarded-for': '10.1.2.3' } });
    expect(r.status).toBe(201);
    expect(r.headers['x-from']).toBe('upstream');
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const seen = JSON.parse(r.body) as { method: string; url: string; body: string; headers: Record<string, string> };
    expect(seen).toMatchObject({ method: 'POST', url: '/echo?x=1', body: 'payload' });
    expect(seen.headers).toMatchObject({
      'x-custom': 'v',
      'x-forwarded-for': '10.1.2.3, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `${HOST}:${p.port}`,
      host: `${HOST}:${p.port}`,
    });
  });

  it('strips hop-by-hop request headers, including those named in Connection', async () => {
    const up = await upstream((req, res) => res.end(JSON.stringify(req.headers)));
    const p = await proxy(up.port);
    const r = await httpRequest(p.port, {
      headers: ['Host', 'app.test', 'Connection', 'keep-alive, X-Hop-A', 'X-Hop-A', '1', 'Keep-Alive', 'timeout=9', 'Proxy-Authorization', 'Basic eA==', 'TE', 'trailers', 'X-End', 'kept'],
    });
    const seen = JSON.parse(r.body) as Record<string, string>;
    expect(seen['x-end']).toBe('kept');
    for (const h of ['x-hop-a', 'keep-alive', 'proxy-authorization', 'te']) expect(seen[h]).toBeUndefined();
    // Node's own agent adds its `connection` to the upstream hop; the client's value is gone.
    expect(seen['connection']).not.toContain('X-Hop-A');
  });

  it('strips hop-by-hop response headers, including those named in Connection', async () => {
    const port = await rawUpstream(
      'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Resp-Hop\r\nX-Resp-Hop: 1\r\nKeep-Alive: timeout=99\r\n' +
        'Proxy-Authenticate: Basic\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Keep: yes\r\nContent-Length: 2\r\n\r\nok',
    );
    const p = await proxy(port);
    const r = await httpRequest(p.port);
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers['x-keep']).toBe('yes');
    for (const h of ['x-resp-hop', 'proxy-authenticate', 'trailer', 'upgrade']) expect(r.headers[h]).toBeUndefined();
    expect(r.headers['keep-alive']).not.toBe('timeout=99');
  });

  it('streams request and response bodies both ways without buffering', async () => {
    const up = await upstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.flushHeaders();
      req.on('data', (d: Buffer) => res.write(d));
      req.on('end', () => res.end());
    });
    const p = await proxy(up.port);
    const got: string[] = [];
    const req = request({ host: HOST, port: p.port, method: 'POST', path: '/stream', agent: false, headers: { 'transfer-encoding': 'chunked' } });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.flushHeaders();
    });
    res.setEncoding('utf8');
    res.on('data', (d: string) => got.push(d));
    // Each chunk must come back before the next is sent: a buffering proxy would stall here.
    for (const chunk of ['one;', 'two;', 'three;']) {
      req.write(chunk);
      await waitFor(() => got.join('').endsWith(chunk), { timeoutMs: 5000, what: `echo of ${chunk}` });
    }
    const ended = new Promise<void>((r) => res.once('end', () => r()));
    req.end();
    await ended;
    expect(got.join('')).toBe('one;two;three;');
  });

  it('relays a large body intact', async () => {
    const up = await upstream((req, res) => {
      const hash = createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => {
        hash.update(d);
        n += d.length;
      });
      req.on('end', () => res.end(`${n} ${hash.digest('hex')}`));
    });
    const p = await proxy(up.port);
    const body = randomBytes(4 * 1024 * 1024).toString('base64');
    const r = await httpRequest(p.port, { method: 'PUT', body });
    expect(r.body).toBe(`${Buffer.byteLength(body)} ${createHash('sha256').update(body).digest('hex')}`);
  });

  // The next three pin what the per-request 'error' listeners used to do (issue #4 follow-up removed
  // them: the 'close' events cover these cases).
  it('cuts the client off when the user container dies mid-body (never a short body that looks complete)', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const p = await proxy(up.port);
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: HOST, port: p.port, path: '/', agent: false }, (res) => {
        let got = 0;
        res.on('data', (d: Buffer) => (got += d.length));
        res.on('end', () => resolve(`ended after ${got} bytes`));
        res.on('aborted', () => resolve(`aborted after ${got} bytes`));
        res.on('error', () => resolve(`aborted after ${got} bytes`));
      });
      req.on('error', (err) => resolve(`request error ${err.message}`));
      req.end();
      setTimeout(() => resolve('neither ended nor aborted within 5 s'), 5000).unref();
    });
    expect(outcome).toBe('aborted after 10 bytes');
  });

  it('aborts the upstream request when the client goes away mid-upload', async () => {
    let received = 0;
    let upstreamClosedEarly = false;
    const up = await upstream((req) => {
      req.on('data', (d: Buffer) => (received += d.length));
      req.on('close', () => (upstreamClosedEarly = !req.complete));
    });
    const p = await proxy(up.port);
    const req = request({ host: HOST, port: p.port, method: 'POST', path: '/upload', agent: false, headers: { 'content-length': '1000' } });
    req.on('error', () => undefined);
    req.write('x'.repeat(100));
    await waitFor(() => received === 100, { what: 'the first 100 bytes at the app' });
    req.destroy();
    await waitFor(() => upstreamClosedEarly, { what: 'the upstream request aborted' });
    await waitFor(() => p.qp.stats.concurrency === 0, { what: 'the request out of the stats' });
  });

  it('aborts the upstream request when the client goes away while waiting for the answer', async () => {
    let upstreamClosed = false;
    const up = await upstream((req) => req.socket.once('close', () => (upstreamClosed = true)));
    const p = await proxy(up.port);
    const ac = new AbortController();
    const pending = httpRequest(p.port, { path: '/slow', signal: ac.signal }).catch(() => 'aborted');
    await waitFor(() => p.qp.stats.concurrency === 1, { what: 'the request in flight' });
    ac.abort();
    expect(await pending).toBe('aborted');
    await waitFor(() => upstreamClosed, { what: 'the upstream request aborted' });
    await waitFor(() => p.qp.stats.concurrency === 0, { what: 'the request out of the stats' });
  });

  it('answers 504 when the user container does not answer within REVISION_TIMEOUT_SECONDS', async () => {
    let aborted = false;
    const up = await upstream((req) => req.socket.once('close', () => (aborted = true)));
    const p = await proxy(up.port, { REVISION_TIMEOUT_SECONDS: '1' });
    const t0 = Date.now();
    const r = await httpRequest(p.port, { path: '/slow' });
    expect(r.status).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    await waitFor(() => aborted, { what: 'upstream request aborted after the timeout' });
  });

  it('answers 502 when the user container is unreachable', async () => {
    const port = await freePort();
    const p = await proxy(port);
    const r = await httpRequest(p.port);
    expect(r.status).toBe(502);
    expect(r.body).toContain('ECONNREFUSED');
  });

  it('keeps client connections alive and reuses upstream connections', async () => {
    const sockets = new Set<unknown>();
    const up = await upstream((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    const p = await proxy(up.port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) expect((await httpRequest(p.port, { agent })).status).toBe(200);
    agent.destroy();
    expect(sockets.size).toBe(1);
  });

  it('exports Knative-named metrics on METRICS_PORT', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const p = await proxy(up.port, { CONTAINER_CONCURRENCY: '4' });
    await httpRequest(p.port);
    await httpRequest(p.port, { headers: { 'k-proxied-by': 'activator' } });
    p.qp.reporter.tick();
    const m = await httpRequest(p.metricsPort, { path: '/metrics' });
    expect(m.status).toBe(200);
    for (const name of [
      'revision_request_count{namespace_name="test-ns",revision_name="test-rev",pod_name="test-pod",response_code="200",response_code_class="2xx"} 2',
      'revision_app_request_count{',
      'revision_request_latencies_bucket{',
      'revision_queue_depth{',
      'queue_average_concurrent_requests{',
      'queue_requests_per_second{',
      'queue_proxied_operations_per_second{',
      'queue_breaker_capacity{namespace_name="test-ns",revision_name="test-rev",pod_name="test-pod"} 4',
      'queue_breaker_in_flight_requests{',
      'queue_breaker_rejections_total{',
    ]) {
      expect(m.body).toContain(name);
    }
    expect((await httpRequest(p.metricsPort, { path: '/nope' })).status).toBe(404);
  });
});

describe('queue-proxy: readiness', () => {
  it('answers K-Network-Probe: queue with 503 until the user container is up, then 200 "queue", without reaching it', async () => {
    const userPort = await freePort();
    const p = await proxy(userPort);
    const probe = (): Promise<{ status: number; body: string }> => httpRequest(p.port, { headers: { 'K-Network-Probe': 'queue' } });
    expect((await probe()).status).toBe(503);
    expect((await httpRequest(p.metricsPort, { path: '/ready' })).status).toBe(503);
    expect((await httpRequest(p.port, { headers: { 'K-Kubelet-Probe': 'queue' } })).status).toBe(503);

    let userRequests = 0;
    await upstream((_req, res) => {
      userRequests += 1;
      res.end('app');
    }, userPort);
    await waitFor(async () => (await probe()).status === 200, { timeoutMs: 3000, what: 'probe 200' });
    expect(await probe()).toMatchObject({ status: 200, body: 'queue' });
    expect((await httpRequest(p.metricsPort, { path: '/ready' })).status).toBe(200);
    expect((await httpRequest(p.metricsPort, { path: '/healthz' })).status).toBe(200);
    expect((await httpRequest(p.port, { headers: { 'K-Kubelet-Probe': 'queue' } })).status).toBe(200);
    expect((await httpRequest(p.port, { headers: { 'User-Agent': 'kube-probe/1.33' } })).status).toBe(200);
    expect((await httpRequest(p.port, { headers: { 'K-Network-Probe': 'other' } })).status).toBe(400);
    expect(userRequests).toBe(0);
    // Probes are not load: no request counted.
    expect(p.qp.reporter.tick().reqs).toBe(0);
    expect((await httpRequest(p.port, { path: '/ready' })).body).toBe('app');
  });

  it('follows an httpGet SERVING_READINESS_PROBE (path, headers, status) and its failure threshold', async () => {
    let healthy = false;
    const probes: Array<{ url: string | undefined; header: string | undefined; ua: string | undefined }> = [];
    const up = await upstream((req, res) => {
      if (req.url === '/healthz') {
        probes.push({ url: req.url, header: req.headers['x-probe'] as string | undefined, ua: req.headers['user-agent'] });
        res.writeHead(healthy ? 204 : 500).end();
        return;
      }
      res.end('app');
    });
    const probeJson = JSON.stringify({ httpGet: { path: '/healthz', port: up.port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, periodSeconds: 1, failureThreshold: 2 });
    const p = await proxy(up.port, { SERVING_READINESS_PROBE: probeJson });
    // Aggressive start-up probing (every 25 ms, not every periodSeconds = 1 s): 10 probes come fast.
    await waitFor(() => probes.length >= 10, { timeoutMs: 2500, what: '10 aggressive probes' });
    expect(p.qp.readiness.ready).toBe(false);
    expect(probes[0]).toEqual({ url: '/healthz', header: 'yes', ua: 'kube-probe/kpa-ts' });
    healthy = true;
    await waitFor(() => p.qp.readiness.ready, { what: 'ready after a 204' });
    healthy = false;
    const n = probes.length;
    await waitFor(() => probes.length >= n + 1, { timeoutMs: 3000, what: 'one periodic probe' });
    expect(p.qp.readiness.ready).toBe(true); // one failure < failureThreshold 2
    await waitFor(() => !p.qp.readiness.ready, { timeoutMs: 4000, what: 'unready after 2 failures' });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, waitFor } from '@kpa-ts/testkit';
import type { DecisionRecord, PokeRecord, StatRecord } from '@kpa-ts/bus';
import { WebSocket, WebSocketServer } from 'ws';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startActivator, type TestActivator } from './helpers/activator.js';
import { send } from './helpers/http-client.js';
import { startPod, type TestPod } from './helpers/pods.js';

// Pods on their own loopback addresses, like Pod IPs.
const IP = (n: number): string => `127.77.0.${n}`;
const host = (rev: string, ns = 'default'): string => `${rev}.${ns}.kpa.local`;

describe('activator gateway over real sockets', () => {
  const pods: TestPod[] = [];
  let a: TestActivator;
  const stats: StatRecord[] = [];
  const pokes: PokeRecord[] = [];
  let onDecision: ((d: DecisionRecord) => void) | undefined;

  const decision = (rev: string, mode: 'proxy' | 'serve', ts: number): DecisionRecord => ({ ns: 'default', rev, ts, desired: 1, ready: 1, ebc: mode === 'serve' ? 10 : -1, mode, numActivators: 2, podCapacity: 1 });

  beforeAll(async () => {
    for (let i = 1; i <= 3; i++) pods.push(await startPod(`p${i}`, IP(i)));
    a = await startActivator({
      stats: { publish: (s) => stats.push(s) },
      pokes: { poke: (p) => pokes.push(p) },
      decisions: {
        start: async (cb) => {
          onDecision = cb;
        },
        stop: async () => undefined,
      },
    });
  });
  afterAll(async () => {
    await a.close();
    await Promise.all(pods.map((p) => p.close()));
  });
  afterEach(() => {
    for (const p of pods) {
      p.seen.length = 0;
      p.maxInFlight = 0;
    }
  });

  const pod = (i: number): TestPod => pods[i - 1] as TestPod;

  it('routes by Host and by Knative headers; answers the activator probe', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'hello', containerConcurrency: 0 });
    a.topology.setEndpoints('default', 'hello', [pod(1).endpoint()]);
    const byHost = await send(a.port, { host: `${host('hello')}:8080`, path: '/x?y=1' });
    expect(byHost).toMatchObject({ status: 200, body: 'pod=p1' });
    expect(pod(1).seen[0]?.url).toBe('/x?y=1');
    const byHeaders = await send(a.port, { host: 'anything.example.com', headers: { 'knative-serving-namespace': 'default', 'knative-serving-revision': 'hello' } });
    expect(byHeaders).toMatchObject({ status: 200, body: 'pod=p1' });
    const probe = await send(a.port, { headers: { 'k-network-probe': 'activator' } });
    expect(probe).toMatchObject({ status: 200, body: 'activator\n' });
  });

  it('sets X-Forwarded-* and k-proxied-by in Proxy mode, strips hop-by-hop headers', async () => {
    await send(a.port, { host: host('hello'), headers: { connection: 'keep-alive, x-hop', 'x-hop': '1', 'x-app': '2' } });
    const h = pod(1).seen[0]?.headers ?? {};
    expect(h).toMatchObject({ 'k-proxied-by': 'activator', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': host('hello'), 'x-app': '2', host: host('hello') });
    expect(h['x-hop']).toBeUndefined();
  });

  it('a bad Host or an unknown revision → 404 with a body naming what was asked', async () => {
    const bad = await send(a.port, { host: 'example.com' });
    expect(bad.status).toBe(404);
    expect(bad.body).toContain('no revision for Host "example.com"');
    const unknown = await send(a.port, { host: host('nope', 'ns9') });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('revision "nope" in namespace "ns9" is not known');
  });

  it('a request at zero waits, pokes at once, pushes a (1, 1) stat, and is served once an endpoint turns ready', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'cold', containerConcurrency: 1 });
    a.topology.setEndpoints('default', 'cold', [pod(2).endpoint(false)]);
    const t0 = performance.now();
    const pending = send(a.port, { host: host('cold') });
    const poke = await waitFor(() => pokes.find((p) => p.rev === 'cold'));
    expect(poke).toMatchObject({ ns: 'default', rev: 'cold', activator: 'act-test' });
    expect(stats.find((s) => s.rev === 'cold')).toMatchObject({ conc: 1, reqs: 1, src: 'act', pod: 'act-test', pconc: 0, preqs: 0 });
    expect(pod(2).seen).toHaveLength(0); // not ready: never routed to
    const readyAt = performance.now();
    a.topology.setEndpoints('default', 'cold', [pod(2).endpoint(true)]);
    const r = await pending;
    const done = performance.now();
    expect(r).toMatchObject({ status: 200, body: 'pod=p2' });
    // Added latency of the cold path after the pod turned ready (measured, printed for the report).
    process.stdout.write(`cold start: waited ${(readyAt - t0).toFixed(1)} ms, served ${(done - readyAt).toFixed(1)} ms after ready\n`);
    expect(done - readyAt).toBeLessThan(500);
    const metrics = await (await fetch(`http://127.0.0.1:${a.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/activator_cold_start_duration_seconds_count\{namespace="default",revision="cold"\} 1/);
  });

  it('queue timeout → 503 naming the revision', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'never', containerConcurrency: 1 });
    const small = await startActivator({ queueTimeoutMs: 150 });
    try {
      small.topology.upsertRevision({ namespace: 'default', revision: 'never', containerConcurrency: 1 });
      const r = await send(small.port, { host: host('never') });
      expect(r.status).toBe(503);
      expect(r.body).toContain('revision default/never had no capacity within 150 ms');
    } finally {
      await small.close();
    }
  });

  it('Proxy mode holds per-pod capacity exactly: upstream max in-flight == cc', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'cc2', containerConcurrency: 2 });
    a.topology.setEndpoints('default', 'cc2', [pod(1).endpoint(), pod(2).endpoint()]);
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(a.port, { host: host('cc2'), path: '/?delay=40' })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(pod(1).maxInFlight).toBe(2);
    expect(pod(2).maxInFlight).toBe(2);
    expect(pod(1).seen.length + pod(2).seen.length).toBe(20);
  });

  it('Serve mode (by decision) forwards at once without queueing or the proxied header; back to Proxy on the next decision', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'srv', containerConcurrency: 1 });
    a.topology.setEndpoints('default', 'srv', [pod(3).endpoint()]);
    onDecision?.(decision('srv', 'serve', 1));
    const replies = await Promise.all(Array.from({ length: 6 }, () => send(a.port, { host: host('srv'), path: '/?delay=40' })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(pod(3).maxInFlight).toBe(6); // no throttling to cc 1
    expect(pod(3).seen.every((s) => s.headers['k-proxied-by'] === undefined)).toBe(true);
    onDecision?.(decision('srv', 'serve', 0)); // stale: ignored
    onDecision?.(decision('srv', 'proxy', 2));
    pod(3).maxInFlight = 0;
    pod(3).seen.length = 0;
    await Promise.all(Array.from({ length: 4 }, () => send(a.port, { host: host('srv'), path: '/?delay=20' })));
    expect(pod(3).maxInFlight).toBe(1);
    expect(pod(3).seen.every((s) => s.headers['k-proxied-by'] === 'activator')).toBe(true);
  });

  it('a pod whose port refuses connections → retried on another pod and served', async () => {
    const deadPort = await freePort(IP(9));
    a.topology.upsertRevision({ namespace: 'default', revision: 'flaky', containerConcurrency: 0 });
    a.topology.setEndpoints('default', 'flaky', [{ pod: 'dead', ip: IP(9), port: deadPort, ready: true }, pod(1).endpoint()]);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => send(a.port, { host: host('flaky'), method: 'POST', body: `b${i}` })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(pod(1).seen.map((s) => s.body))).toEqual(new Set(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']));
    const metrics = await (await fetch(`http://127.0.0.1:${a.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/activator_retries_total\{namespace="default",revision="flaky",reason="connect"\} [1-9]/);
  });

  it('a pod that hangs up before answering → an idempotent GET is retried on another pod', async () => {
    const rude = createNetServer((sock) => sock.once('data', () => sock.destroy()));
    await new Promise<void>((r) => rude.listen(0, IP(10), () => r()));
    const rudePort = (rude.address() as AddressInfo).port;
    a.topology.upsertRevision({ namespace: 'default', revision: 'rude', containerConcurrency: 0 });
    a.topology.setEndpoints('default', 'rude', [{ pod: 'rude', ip: IP(10), port: rudePort, ready: true }, pod(2).endpoint()]);
    try {
      const replies = await Promise.all(Array.from({ length: 4 }, () => send(a.port, { host: host('rude') })));
      expect(replies.map((r) => r.body)).toEqual(['pod=p2', 'pod=p2', 'pod=p2', 'pod=p2']);
      // a POST on a fresh connection may have been processed: not retried → 502
      a.topology.setEndpoints('default', 'rude', [{ pod: 'rude', ip: IP(10), port: rudePort, ready: true }]);
      const post = await send(a.port, { host: host('rude'), method: 'POST', body: 'x' });
      expect(post.status).toBe(502);
    } finally {
      await new Promise((r) => rude.close(r));
    }
  });

  it('streams a large chunked request body and response through', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'big', containerConcurrency: 1 });
    a.topology.setEndpoints('default', 'big', [pod(1).endpoint()]);
    const chunk = 'x'.repeat(64 * 1024);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: a.port, method: 'POST', path: '/', headers: { host: host('big'), 'transfer-encoding': 'chunked' }, agent: false }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 16; i++) req.write(chunk);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe('pod=p1 body='.length + 16 * chunk.length);
  });

  it('an unready or removed endpoint never receives traffic', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'mixed', containerConcurrency: 0 });
    a.topology.setEndpoints('default', 'mixed', [pod(1).endpoint(), pod(2).endpoint(false), pod(3).endpoint()]);
    await Promise.all(Array.from({ length: 10 }, () => send(a.port, { host: host('mixed') })));
    expect(pod(2).seen).toHaveLength(0);
    a.topology.setEndpoints('default', 'mixed', [pod(1).endpoint()]);
    pod(3).seen.length = 0;
    await Promise.all(Array.from({ length: 10 }, () => send(a.port, { host: host('mixed') })));
    expect(pod(3).seen).toHaveLength(0);
    expect(pod(2).seen).toHaveLength(0);
    // endpoints of an unknown revision are never routed to
    a.topology.setEndpoints('default', 'ghost', [pod(2).endpoint()]);
    expect((await send(a.port, { host: host('ghost') })).status).toBe(404);
    expect(pod(2).seen).toHaveLength(0);
  });

  it('revision timeout → 504', async () => {
    a.topology.upsertRevision({ namespace: 'default', revision: 'slow', containerConcurrency: 0, timeoutSeconds: 1 });
    a.topology.setEndpoints('default', 'slow', [pod(1).endpoint()]);
    const r = await send(a.port, { host: host('slow'), path: '/?delay=1500' });
    expect(r.status).toBe(504);
    expect(r.body).toContain('did not answer within 1000 ms');
  });

  it('forwards a WebSocket upgrade', async () => {
    const wsServer = createServer();
    const wss = new WebSocketServer({ server: wsServer });
    wss.on('connection', (s, req) => s.on('message', (m) => s.send(`echo:${String(m)}:${String(req.headers['k-proxied-by'])}`)));
    await new Promise<void>((r) => wsServer.listen(0, IP(20), () => r()));
    const port = (wsServer.address() as AddressInfo).port;
    a.topology.upsertRevision({ namespace: 'default', revision: 'ws', containerConcurrency: 1 });
    a.topology.setEndpoints('default', 'ws', [{ pod: 'ws', ip: IP(20), port, ready: true }]);
    try {
      const client = new WebSocket(`ws://127.0.0.1:${a.port}/chat`, { headers: { host: host('ws') } });
      const reply = await new Promise<string>((resolve, reject) => {
        client.on('open', () => client.send('hi'));
        client.on('message', (m) => resolve(String(m)));
        client.on('error', reject);
      });
      expect(reply).toBe('echo:hi:activator');
      client.close();
      await new Promise((r) => client.on('close', r));
    } finally {
      wss.close();
      wsServer.closeAllConnections();
      await new Promise((r) => wsServer.close(r));
    }
  });

  it('shutdown: readiness off at once, still serving during the delay, then queued requests get 503', async () => {
    const b = await startActivator({ drainTimeoutMs: 300 });
    b.topology.upsertRevision({ namespace: 'default', revision: 'zero', containerConcurrency: 1 });
    b.topology.upsertRevision({ namespace: 'default', revision: 'up', containerConcurrency: 1 });
    b.topology.setEndpoints('default', 'up', [pod(1).endpoint()]);
    const queued = send(b.port, { host: host('zero') });
    await waitFor(() => b.activator.revisions.get('default', 'zero')?.queued === 1);
    const closing = b.activator.close({ drainDelayMs: 300 });
    expect((await fetch(`http://127.0.0.1:${b.adminPort}/readyz`)).status).toBe(503);
    const during = await send(b.port, { host: host('up') });
    expect(during.status).toBe(200);
    expect(during.headers['connection']).toBe('close');
    const q = await queued;
    expect(q.status).toBe(503);
    expect(q.body).toContain('shutting down');
    await closing;
  });

  it('serves /healthz, /readyz and /metrics on the admin port', async () => {
    const base = `http://127.0.0.1:${a.adminPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(m).toContain('activator_request_count{namespace="default",revision="hello",code="200"}');
    expect(m).toContain('activator_request_latencies_bucket');
    expect(m).toContain('activator_queue_wait_seconds_bucket');
    expect(m).toMatch(/activator_ready_pods\{namespace="default",revision="hello"\} 1/);
    expect(m).toContain('activator_queue_depth');
  });
});

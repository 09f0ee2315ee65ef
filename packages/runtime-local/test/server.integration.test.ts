import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLocalRuntime,
  createRuntimeClient,
  startRuntimeServer,
  type LocalRuntime,
  type RuntimeClient,
  type RuntimeServer,
  type TopologyEndpoint,
  type TopologyRevision,
  type WatchEvent,
} from '@kpa-ts/runtime-local';
import { waitFor } from '@kpa-ts/testkit';
import { request } from 'node:http';
import { FAKE_QUEUE_PROXY, requireSampleApp, SAMPLE_APP, testIpRange } from './support.js';

// The runtime's HTTP API over real sockets: a real runtime (sample app + the stand-in queue-proxy),
// the server on a free port, and the client with its topology and scale-backend adapters.
const cleanups: Array<() => Promise<void> | void> = [];

async function stack(): Promise<{ rt: LocalRuntime; server: RuntimeServer; client: RuntimeClient }> {
  const rt = createLocalRuntime({
    queueProxy: { command: process.execPath, args: [FAKE_QUEUE_PROXY] },
    ipRange: testIpRange(),
    probeIntervalMs: 100,
    terminationGraceMs: 5_000,
  });
  cleanups.push(() => rt.close());
  const server = await startRuntimeServer({ runtime: rt, heartbeatMs: 200 });
  cleanups.push(() => server.close());
  const client = createRuntimeClient(server.url, { minBackoffMs: 20, maxBackoffMs: 200, startTimeoutMs: 5_000 });
  cleanups.push(() => client.close());
  return { rt, server, client };
}

const body = (revision: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'test',
  revision,
  containerConcurrency: 10,
  annotations: { 'autoscaling.knative.dev/max-scale': '3' },
  app: { command: process.execPath, args: [SAMPLE_APP] },
  ...extra,
});

function raw(url: string, method: string, path: string, payload?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Records what a topology source reports. */
function topologyRecorder() {
  const revisions = new Map<string, TopologyRevision>();
  const endpoints = new Map<string, TopologyEndpoint[]>();
  const deleted: string[] = [];
  return {
    revisions,
    endpoints,
    deleted,
    ready: (rev: string) => (endpoints.get(`test/${rev}`) ?? []).filter((e) => e.ready).length,
    listener: {
      revisionUpserted: (r: TopologyRevision) => revisions.set(`${r.namespace}/${r.revision}`, r),
      revisionDeleted: (ns: string, rev: string) => {
        revisions.delete(`${ns}/${rev}`);
        deleted.push(`${ns}/${rev}`);
      },
      endpointsChanged: (ns: string, rev: string, eps: TopologyEndpoint[]) => endpoints.set(`${ns}/${rev}`, eps),
    },
  };
}

beforeAll(() => requireSampleApp());

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('runtime API server + client', () => {
  it('deploys, lists, scales 0→2→0 through /scale; the topology source and scale backend follow the watch', async () => {
    const { client } = await stack();
    const created = await client.deploy(body('hello'));
    expect(created).toMatchObject({ namespace: 'test', revision: 'hello', containerConcurrency: 10, replicas: 0, annotations: { 'autoscaling.knative.dev/max-scale': '3' } });
    expect((await client.listRevisions()).map((r) => r.revision)).toEqual(['hello']);

    const topo = topologyRecorder();
    const source = client.topologySource();
    await source.start(topo.listener);
    cleanups.push(() => source.stop());
    expect(topo.revisions.get('test/hello')).toEqual({ namespace: 'test', revision: 'hello', containerConcurrency: 10 });
    expect(topo.endpoints.get('test/hello')).toEqual([]); // known at zero

    const managed: unknown[] = [];
    const backend = client.scaleBackend();
    await backend.start({ revisionUpserted: (r) => managed.push(r), revisionDeleted: () => undefined });
    cleanups.push(() => backend.stop());
    expect(managed).toEqual([{ namespace: 'test', revision: 'hello', annotations: { 'autoscaling.knative.dev/max-scale': '3' }, containerConcurrency: 10 }]);
    expect(await backend.getScale('test', 'hello')).toBe(0);

    await backend.scale('test', 'hello', 2);
    expect(await backend.getScale('test', 'hello')).toBe(2);
    await waitFor(() => topo.ready('hello') === 2, { timeoutMs: 15_000, what: 'two ready endpoints' });
    expect(await backend.readyPods('test', 'hello')).toBe(2);
    const eps = topo.endpoints.get('test/hello') ?? [];
    expect(new Set(eps.map((e) => e.ip)).size).toBe(2); // each pod on its own address
    expect(eps.every((e) => e.port === 8012)).toBe(true);
    expect(await client.getScale('test', 'hello')).toEqual({ namespace: 'test', revision: 'hello', replicas: 2, readyReplicas: 2, podCount: 2 });
    expect(managed).toHaveLength(1); // a scale change is not a new revision for the autoscaler

    await client.setScale('test', 'hello', 0);
    await waitFor(() => (topo.endpoints.get('test/hello') ?? []).length === 0, { timeoutMs: 15_000, what: 'endpoints gone' });
    expect(await backend.readyPods('test', 'hello')).toBe(0);
  });

  it.each<[string, string, string, unknown, number, string, string | undefined]>([
    ['a missing app', 'POST', '/v1/revisions', { namespace: 'test', revision: 'x', containerConcurrency: 1 }, 400, 'INVALID_BODY', 'app'],
    ['a bad namespace', 'POST', '/v1/revisions', { ...body('x'), namespace: 'Not_A_Label' }, 400, 'INVALID_BODY', 'namespace'],
    ['cc out of range', 'POST', '/v1/revisions', { ...body('x'), containerConcurrency: 5000 }, 400, 'INVALID_BODY', 'containerConcurrency'],
    ['a non-string annotation', 'POST', '/v1/revisions', { ...body('x'), annotations: { a: 1 } }, 400, 'INVALID_BODY', 'annotations.a'],
    ['negative replicas', 'PUT', '/v1/revisions/test/hello/scale', { replicas: -1 }, 400, 'INVALID_BODY', 'replicas'],
    ['replicas not a number', 'PUT', '/v1/revisions/test/hello/scale', { replicas: 'three' }, 400, 'INVALID_BODY', 'replicas'],
    ['an unknown revision', 'GET', '/v1/revisions/test/nope/scale', undefined, 404, 'RUNTIME_UNKNOWN_REVISION', undefined],
    ['an unknown pod', 'POST', '/v1/pods/nope-abcde/kill', {}, 404, 'RUNTIME_POD_NOT_FOUND', undefined],
    ['an unknown route', 'GET', '/v2/things', undefined, 404, 'NOT_FOUND', undefined],
    ['a wrong method', 'PATCH', '/v1/revisions', {}, 405, 'METHOD_NOT_ALLOWED', undefined],
  ])('rejects %s (%s %s) with the status, code and field', async (_name, method, path, payload, status, code, field) => {
    const { server, client } = await stack();
    await client.deploy(body('hello'));
    const r = await raw(server.url, method, path, payload === undefined ? undefined : JSON.stringify(payload));
    expect(r.status).toBe(status);
    const error = (r.json as { error: { code: string; message: string; field?: string } }).error;
    expect(error.code).toBe(code);
    if (field !== undefined) {
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    }
  });

  it('the client turns errors into RuntimeApiError codes', async () => {
    const { client } = await stack();
    await expect(client.getScale('test', 'nope')).rejects.toMatchObject({ code: 'API_NOT_FOUND', details: { status: 404, serverCode: 'RUNTIME_UNKNOWN_REVISION' } });
    await expect(client.deploy({ ...body('x'), containerConcurrency: -1 })).rejects.toMatchObject({ code: 'API_INVALID', details: { field: 'containerConcurrency' } });
    const dead = createRuntimeClient('http://127.0.0.1:1', { requestTimeoutMs: 1000, startTimeoutMs: 500 });
    await expect(dead.listRevisions()).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    await expect(dead.scaleBackend().start({ revisionUpserted: () => undefined, revisionDeleted: () => undefined })).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    await expect(dead.topologySource().start({ revisionUpserted: () => undefined, revisionDeleted: () => undefined, endpointsChanged: () => undefined })).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    expect(() => createRuntimeClient('ftp://x')).toThrow(expect.objectContaining({ code: 'API_INVALID' }));
  });

  it('DELETE forgets a revision (watchers see revision-deleted) and its pods go away; a re-deploy starts at 0', async () => {
    const { rt, client } = await stack();
    await client.deploy(body('bye', { replicas: 1 }));
    const topo = topologyRecorder();
    const source = client.topologySource();
    await source.start(topo.listener);
    cleanups.push(() => source.stop());
    await waitFor(() => topo.ready('bye') === 1, { timeoutMs: 15_000, what: 'a ready pod' });
    await client.deleteRevision('test', 'bye');
    await waitFor(() => topo.deleted.includes('test/bye'), { what: 'revisionDeleted' });
    await expect(client.getRevision('test', 'bye')).rejects.toMatchObject({ code: 'API_NOT_FOUND' });
    await waitFor(() => rt.pods('test', 'bye').length === 0, { timeoutMs: 15_000, what: 'pods gone' });
    expect((await client.deploy(body('bye'))).replicas).toBe(0);
    await waitFor(() => topo.revisions.has('test/bye'), { what: 're-deploy seen' });
  });

  it('kill (fault injection) through the API: the pod is replaced', async () => {
    const { client } = await stack();
    await client.deploy(body('kill', { replicas: 1 }));
    await waitFor(async () => (await client.getScale('test', 'kill')).readyReplicas === 1, { timeoutMs: 15_000, what: 'ready' });
    const [pod] = await client.pods('test', 'kill');
    await client.killPod(pod?.name ?? '', { container: 'queue-proxy' });
    await waitFor(async () => {
      const pods = await client.pods('test', 'kill');
      return pods.length === 1 && pods[0]?.name !== pod?.name && pods[0]?.ready;
    }, { timeoutMs: 15_000, what: 'a replacement pod' });
  });

  it('a lost watch reconnects and relists: a revision deleted meanwhile is reported deleted, a new one upserted', async () => {
    const { rt, server, client } = await stack();
    await client.deploy(body('stays'));
    await client.deploy(body('goes'));
    const events: string[] = [];
    const watcher = client.watch({
      revisionUpserted: (r) => events.push(`up ${r.revision}`),
      revisionDeleted: (_ns, rev) => events.push(`del ${rev}`),
      disconnected: () => events.push('lost'),
    });
    watcher.start();
    cleanups.push(() => watcher.stop());
    expect(await watcher.whenSynced(5_000)).toBe(true);
    expect(events).toEqual(['up stays', 'up goes']);

    // The API goes away (the runtime and its state stay), changes happen, a new API comes up on the same port.
    const port = server.port;
    await server.close();
    await waitFor(() => events.includes('lost'), { what: 'watch lost' });
    expect(watcher.synced).toBe(false);
    const server2 = await startRuntimeServer({ runtime: rt, port, heartbeatMs: 200 });
    cleanups.push(() => server2.close());
    // server2 has its own registry (a restarted API knows only what is deployed through it)
    await createRuntimeClient(server2.url).deploy(body('stays'));
    await createRuntimeClient(server2.url).deploy(body('new'));
    await waitFor(() => watcher.synced && events.includes('del goes'), { timeoutMs: 10_000, what: 'relist after reconnect' });
    expect(events).toContain('up new');
    expect(watcher.revisions().map((r) => r.revision).sort()).toEqual(['new', 'stays']);
  });

  it('the watch stream starts with the full state and a synced line, then changes, with heartbeats', async () => {
    const { server, client } = await stack();
    await client.deploy(body('w'));
    const lines: WatchEvent[] = [];
    const u = new URL(server.url);
    const req = request({ host: u.hostname, port: u.port, path: '/v1/watch' });
    req.on('response', (res) => {
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          lines.push(JSON.parse(buf.slice(0, i)) as WatchEvent);
          buf = buf.slice(i + 1);
        }
      });
    });
    req.on('error', () => undefined);
    req.end();
    cleanups.push(() => void req.destroy());
    await waitFor(() => lines.some((l) => l.type === 'synced'), { what: 'synced' });
    expect(lines.slice(0, 3).map((l) => l.type)).toEqual(['revision', 'pods', 'synced']);
    await client.setScale('test', 'w', 1);
    await waitFor(() => lines.some((l) => l.type === 'revision' && l.revision.replicas === 1), { what: 'scale event' });
    await waitFor(() => lines.some((l) => l.type === 'pods' && l.pods.some((p) => p.ready)), { timeoutMs: 15_000, what: 'ready pod event' });
    await waitFor(() => lines.some((l) => l.type === 'heartbeat'), { what: 'heartbeat' });
    await client.setScale('test', 'w', 0);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort, waitFor } from '@kpa-ts/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const HOST = '127.0.0.1';

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

function start(env: Record<string, string>): Running {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx tsc -b packages/sample-app\` (or pnpm build) first`);
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

function get(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listening(app: Running): Promise<void> {
  await waitFor(() => app.stdout().includes('"listening"'), { timeoutMs: 10_000, what: 'sample-app listening' });
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('sample-app binary', () => {
  it('serves 200 naming the pod from SERVING_POD', async () => {
    const port = await freePort();
    const app = start({ PORT: String(port), HOST, SERVING_POD: 'rev1-abcde' });
    await listening(app);
    const res = await get(port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello from rev1-abcde\n');
    expect(res.headers['x-pod']).toBe('rev1-abcde');
  });

  it('answers 500 with FAILURE_RATE=1', async () => {
    const port = await freePort();
    const app = start({ PORT: String(port), HOST, FAILURE_RATE: '1' });
    await listening(app);
    expect((await get(port, '/')).status).toBe(500);
  });

  it.each([
    ['PORT', 'eighty'],
    ['FAILURE_RATE', '3'],
    ['LATENCY_MS', '-5'],
  ])('exits 1 naming %s when it is %j', async (variable, value) => {
    const app = start({ [variable]: value });
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toContain(`invalid ${variable}=`);
  });

  it('waits START_DELAY_MS before listening', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const app = start({ PORT: String(port), HOST, START_DELAY_MS: '400' });
    await listening(app);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect((await get(port, '/')).status).toBe(200);
  });

  it('on SIGTERM finishes the in-flight request, then exits 0', async () => {
    const port = await freePort();
    const app = start({ PORT: String(port), HOST, LOG_REQUESTS: '1' });
    await listening(app);
    const slow = get(port, '/?latency=800');
    await waitFor(() => app.stdout().includes('"request"'), { what: 'the request reached the app' });
    app.child.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.headers['connection']).toBe('close');
    expect(await app.exited).toBe(0);
  });
});

// The built binary (`pnpm build` first): generated or file-based certificates, a real review
// answered, SIGTERM → exit 0; a bad environment → exit 1 naming the variable.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, waitFor } from '@kpa-ts/testkit';
import { generateTlsMaterial } from '@kpa-ts/webhook';
import { fixture } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let dir: string;
const children: ChildProcess[] = [];

function start(env: Record<string, string>): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', CONFIG_SOURCE: 'defaults', METRICS_PORT: '0', LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { child, exited };
}

function post(port: number, ca: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: path === '/healthz' ? 'GET' : 'POST', ca, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kpa-webhook-main-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('webhook binary', () => {
  it('generates its certificate (CA written to TLS_CA_OUT_FILE), answers a review, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const caFile = join(dir, 'ca.pem');
    const { child, exited } = start({ WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: String(port), TLS_CA_OUT_FILE: caFile });
    const ca = await waitFor(() => readFile(caFile, 'utf8').catch(() => ''), { timeoutMs: 10_000, what: 'the CA file' });
    await waitFor(async () => (await post(port, ca, '/healthz', '')).status === 200, { timeoutMs: 10_000, what: '/healthz' });
    const res = await post(port, ca, '/mutate-pods', JSON.stringify(fixture('pod-create-kpa-class')));
    expect(JSON.parse(res.text)).toMatchObject({ response: { allowed: true, patchType: 'JSONPatch' } });
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  }, 20_000);

  it('serves the certificate from TLS_CERT_FILE/TLS_KEY_FILE', async () => {
    const tls = await generateTlsMaterial({ hosts: ['127.0.0.1'] });
    await writeFile(join(dir, 'tls.crt'), tls.cert);
    await writeFile(join(dir, 'tls.key'), tls.key);
    const port = await freePort();
    const { child, exited } = start({ WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: String(port), TLS_CERT_FILE: join(dir, 'tls.crt'), TLS_KEY_FILE: join(dir, 'tls.key') });
    await waitFor(async () => (await post(port, tls.ca, '/healthz', '')).status === 200, { timeoutMs: 10_000, what: '/healthz' });
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  }, 20_000);

  it('exits 1 on a bad environment, naming the variable', async () => {
    const { exited } = start({ WEBHOOK_PORT: 'https' });
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain('WEBHOOK_PORT');
  }, 10_000);
});

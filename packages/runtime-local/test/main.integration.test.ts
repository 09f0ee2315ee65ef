import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createRuntimeClient } from '@kpa-ts/runtime-local';
import { waitFor } from '@kpa-ts/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alive, FAKE_QUEUE_PROXY, requireSampleApp, SAMPLE_APP, testIpRange } from './support.js';

// The binary: `node packages/runtime-local/dist/main.js` (needs a build), env in, URL line out.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const children: ChildProcess[] = [];

function start(env: Record<string, string>): { proc: ChildProcess; firstLine: Promise<string>; exit: Promise<number | null>; stderr: () => string } {
  const proc = spawn(process.execPath, [MAIN], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const firstLine = new Promise<string>((resolve) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
  });
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, firstLine, exit, stderr: () => err };
}

beforeAll(() => {
  requireSampleApp();
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx tsc -b packages/runtime-local\` first`);
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('runtime-local main (the API binary)', () => {
  it('prints its URL as one JSON line, serves the API, and on SIGTERM stops its pods and exits 0', async () => {
    const p = start({ LISTEN: '127.0.0.1:0', IP_RANGE: testIpRange(), QUEUE_PROXY_MAIN: FAKE_QUEUE_PROXY, PROBE_INTERVAL_MS: '100' });
    const line = JSON.parse(await p.firstLine) as { url: string; logDir: string; pid: number };
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.pid).toBe(p.proc.pid);
    const client = createRuntimeClient(line.url);
    await client.deploy({ namespace: 'bin', revision: 'hello', containerConcurrency: 1, app: { command: process.execPath, args: [SAMPLE_APP] }, replicas: 1 });
    await waitFor(async () => (await client.getScale('bin', 'hello')).readyReplicas === 1, { timeoutMs: 15_000, what: 'a ready pod' });
    const pids = (await client.pods('bin', 'hello')).flatMap((pod) => [pod.pids?.app, pod.pids?.queueProxy]).filter((x): x is number => x !== undefined);
    expect(pids).toHaveLength(2);
    client.close();
    p.proc.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('an invalid variable stops it with exit 1 and a message naming it', async () => {
    const p = start({ LISTEN: '10.0.0.1:80' });
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('LISTEN="10.0.0.1:80"');
  });
});

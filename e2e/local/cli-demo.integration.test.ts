import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoJson } from '@kpa-ts/cli';
import { createRuntimeClient } from '@kpa-ts/runtime-local';
import { waitFor } from '@kpa-ts/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, requireBuilt } from './support.js';

// `kpa demo` as a person runs it (the built binary), with a short scenario: the one JSON line, and
// nothing left running afterwards, Ctrl-C included.
const KPA = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const SHORT = ['--concurrency', '30', '--duration', '5s', '--stable-window', '6s', '--grace', '1s', '--autoscalers', '1', '--latency-ms', '100', '--container-concurrency', '10', '--max-scale', '2', '--config', 'panic-window-percentage=50'];
const children: ChildProcess[] = [];

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function kpa(args: string[]): Run {
  const proc = spawn(process.execPath, [KPA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { proc, stdout: () => out, stderr: () => err, exit: new Promise((r) => proc.once('exit', (code) => r(code))) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of the demo's stack processes (pids.json in its log dir). */
function stackPids(logDir: string): number[] {
  const file = join(logDir, 'pids.json');
  if (!existsSync(file)) return [];
  const p = JSON.parse(readFileSync(file, 'utf8')) as { redis: number; runtime: number; autoscalers: number[]; activator: number };
  return [p.redis, p.runtime, ...p.autoscalers, p.activator];
}

const logDirOf = (text: string): string => /logs in (\S+)/.exec(text)?.[1] ?? '';

beforeAll(() => requireBuilt());

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('kpa demo (the binary)', () => {
  it('--json prints one JSON line: 100 % availability, back at zero, first response measured; no process left', async () => {
    const run = kpa(['demo', '--json', ...SHORT]);
    const code = await run.exit;
    const lines = run.stdout().trim().split('\n');
    expect({ code, stderr: code === 0 ? '' : run.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0] ?? '{}') as DemoJson;
    report('kpa demo --json', json as unknown as Record<string, unknown>);
    expect(json).toMatchObject({ failures: 0, availability: 100, finalPods: 0, backAtZero: true });
    expect(json.requests).toBeGreaterThan(100);
    expect(json.maxPods).toBeGreaterThanOrEqual(1);
    expect(json.maxPods).toBeLessThanOrEqual(2);
    expect(json.firstResponseMs).toBeGreaterThan(0);
    expect(run.stderr()).toContain('Availability:');
    expect(existsSync(join(json.logDir, 'demo.svg'))).toBe(true);
    const pids = stackPids(json.logDir);
    expect(pids.length).toBe(4);
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);

  it('Ctrl-C (SIGINT) mid-burst stops everything and exits 130', async () => {
    const run = kpa(['demo', ...SHORT, '--duration', '60s']);
    await waitFor(() => run.stdout().includes('burst starts'), { timeoutMs: 60_000, what: 'the burst to start' });
    const logDir = logDirOf(run.stdout());
    const pids = stackPids(logDir);
    expect(pids.length).toBe(4);
    expect(readdirSync(join(logDir, 'pods')).length).toBeGreaterThan(0); // a pod was started
    const runtimeUrl = /runtime API (http:\/\/\S+?),/.exec(run.stdout())?.[1] ?? '';
    const client = createRuntimeClient(runtimeUrl);
    const podPids = (await client.pods('production', 'devops-toolkit-00001')).flatMap((p) => [p.pids?.app, p.pids?.queueProxy]).filter((x): x is number => x !== undefined);
    client.close();
    expect(podPids.length).toBeGreaterThan(0);
    run.proc.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stdout()).toContain('interrupted');
    expect([...pids, ...podPids].filter(alive)).toEqual([]);
  }, 120_000);

  it('a bad flag exits 2 naming it', async () => {
    const run = kpa(['demo', '--concurrency', 'many']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('--concurrency');
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@kpa-ts/testkit';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alive, FAKE_QUEUE_PROXY, requireSampleApp, SAMPLE_APP, testIpRange } from './support.js';

// The parent dies without calling close(): its pods must not outlive it. Needs the built dist
// (the parent is a plain .mjs importing packages/runtime-local/dist).
const PARENT = fileURLToPath(new URL('./fixtures/parent.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

beforeAll(() => {
  requireSampleApp();
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npx tsc -b packages/runtime-local\` first`);
});

async function startParent(mode: 'exit' | 'wait'): Promise<{ pids: number[]; kill: () => void; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [PARENT, SAMPLE_APP, FAKE_QUEUE_PROXY, testIpRange()], { env: { ...process.env, MODE: mode }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const line = await waitFor(() => out.split('\n').find((l) => l.startsWith('{')), { timeoutMs: 15_000, what: 'parent printed its pod pids' });
  const pids = Object.values(JSON.parse(line) as Record<string, number>);
  return { pids, kill: () => child.kill('SIGKILL'), exited };
}

describe('no leaked pods when the parent dies', () => {
  it("process.exit() in the parent: the 'exit' handler SIGKILLs every child", async () => {
    const parent = await startParent('exit');
    await parent.exited;
    expect(parent.pids).toHaveLength(2);
    await waitFor(() => !parent.pids.some(alive), { timeoutMs: 5_000, what: 'children gone' });
  });

  it('SIGKILL of the parent (no exit handler runs): the reaper kills every child', async () => {
    const parent = await startParent('wait');
    expect(parent.pids.every(alive)).toBe(true);
    parent.kill();
    await parent.exited;
    await waitFor(() => !parent.pids.some(alive), { timeoutMs: 5_000, what: 'children gone' });
  });
});

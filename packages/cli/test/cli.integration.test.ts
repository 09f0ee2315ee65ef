// Spawns the built binary (`pnpm build` first; scripts/test builds): real process, real files.
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrace } from '../src/trace.js';

const root = new URL('../../../', import.meta.url).pathname;
const main = join(root, 'packages/cli/dist/main.js');

function kpa(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Tick {
  tS: number;
  ready: number;
  replicas: number;
  panic: boolean;
  mode: string;
}
interface Output {
  settings: { durationMs: number; targetValue: number };
  summary: { maxReadyPods: number; firstLoadS: number; timeToFirstReadyPodS: number; loadEndS: number; timeBackToZeroS: number; panicSeconds: number };
  ticks: Tick[];
}

describe('kpa simulate (the built binary)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kpa-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('simulates spike.csv and prints JSON', () => {
    const r = kpa('simulate', 'packages/cli/traces/spike.csv', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Output;
    // 250 concurrent at 70 per pod → ceil(250 / 70) = 4 pods; the first ready 5 s (pod start) after the load.
    expect(out.settings.targetValue).toBe(70);
    expect(out.summary).toMatchObject({ maxReadyPods: 4, firstLoadS: 11, timeToFirstReadyPodS: 5, loadEndS: 21 });
    // The load arrives at t = 11 s, between two ticks: the poke decides at once.
    expect(out.ticks.find((t) => t.tS === 11)).toMatchObject({ replicas: 4 });
    expect(out.summary.panicSeconds).toBeGreaterThan(0);
    expect(out.summary.timeBackToZeroS).toBeGreaterThanOrEqual(60);
    expect(out.ticks[0]).toMatchObject({ tS: 0, ready: 0, replicas: 0, mode: 'proxy' });
    expect(out.ticks.at(-1)).toMatchObject({ ready: 0, replicas: 0 });
    expect(out.ticks.some((t) => t.ready === 4 && t.panic)).toBe(true);
  });

  it('reproduces seed 003: 500 concurrent, cc 100, max-scale 3 → 3 pods, then back to zero', () => {
    const r = kpa('simulate', 'packages/cli/traces/siege-burst.csv', '--container-concurrency', '100', '--annotation', 'max-scale=3', '--format', 'json', '--quiet');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Output;
    expect(out.summary.maxReadyPods).toBe(3);
    expect(out.summary.timeBackToZeroS).not.toBeNull();
  });

  it('writes the SVG and the PNG plots', () => {
    const svg = join(dir, 'spike.svg');
    const png = join(dir, 'spike.png');
    const r = kpa('simulate', 'packages/cli/traces/spike.csv', '--svg', svg, '--png', png, '--quiet');
    expect(r.code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<polyline [\s\S]*<\/svg>\n$/);
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('exits 2 on a bad flag, naming it', () => {
    const r = kpa('simulate', 'packages/cli/traces/spike.csv', '--format', 'yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format');
    expect(r.stdout).toBe('');
  });

  it('exits 0 when the reader closes the pipe early', () => {
    const r = spawnSync('bash', ['-c', `node ${main} simulate packages/cli/traces/diurnal.csv | head -1`], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.split('\n')[0]).toMatch(/^metric concurrency/);
    expect(r.stderr).toBe('');
  });

  it.each(['siege-burst.csv', 'diurnal.csv', 'spike.csv'])('ships a valid example trace %s that starts and ends at 0', (name) => {
    const trace = parseTrace(readFileSync(join(root, 'packages/cli/traces', name), 'utf8'), name);
    expect(trace.points[0]?.load).toBe(0);
    expect(trace.points.at(-1)?.load).toBe(0);
  });
});

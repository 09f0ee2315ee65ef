import { describe, expect, it } from '@jest/globals';
import type { CliIo, Command } from '../src/commands/index.js';
import { dispatch } from '../src/dispatch.js';
import { CliError } from '../src/errors.js';

/** In-memory I/O: files from a map, output collected. */
function memoryIo(files: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '', written: new Map<string, string | Uint8Array>() };
  const io: CliIo = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      return text;
    },
    writeFile: async (path, data) => void out.written.set(path, data),
  };
  return { io, out };
}

const SPIKE = '# a spike\nseconds,concurrency\n0,0\n10,250\n20,0\n';

describe('dispatch', () => {
  it.each([
    [['help'], 0],
    [['--help'], 0],
    [[], 2],
  ])('%j prints the commands and exits %d', async (argv, code) => {
    const { io, out } = memoryIo();
    expect(await dispatch(argv, io)).toBe(code);
    expect(out.stdout).toContain('simulate');
  });

  it('rejects an unknown command with exit 2', async () => {
    const { io, out } = memoryIo();
    expect(await dispatch(['simulat'], io)).toBe(2);
    expect(out.stderr).toContain('unknown command "simulat"');
  });

  it('runs a registered command (how `kpa demo` plugs in)', async () => {
    const demo: Command = { name: 'demo', summary: 'd', run: async (argv, io) => (io.stdout(argv.join(',')), 7) };
    const { io, out } = memoryIo();
    expect(await dispatch(['demo', 'a', 'b'], io, [demo])).toBe(7);
    expect(out.stdout).toBe('a,b');
  });

  it('turns an unexpected error into exit 1', async () => {
    const boom: Command = { name: 'boom', summary: 'b', run: async () => { throw new Error('bang'); } };
    const { io, out } = memoryIo();
    expect(await dispatch(['boom'], io, [boom])).toBe(1);
    expect(out.stderr).toContain('bang');
  });
});

describe('kpa simulate (in-process)', () => {
  it('prints the table and the summary', async () => {
    const { io, out } = memoryIo({ 'spike.csv': SPIKE });
    expect(await dispatch(['simulate', 'spike.csv'], io)).toBe(0);
    expect(out.stdout).toMatch(/t\(s\)\s+load\s+ready/);
    expect(out.stdout).toContain('time back to zero:');
    expect(out.stderr).toBe('');
  });

  it('prints JSON and CSV', async () => {
    const { io, out } = memoryIo({ 'spike.csv': SPIKE });
    expect(await dispatch(['simulate', 'spike.csv', '--format', 'json'], io)).toBe(0);
    const json = JSON.parse(out.stdout) as { summary: { maxReadyPods: number }; ticks: unknown[] };
    expect(json.summary.maxReadyPods).toBe(4);
    expect(json.ticks.length).toBeGreaterThan(10);
    const csv = memoryIo({ 'spike.csv': SPIKE });
    expect(await dispatch(['simulate', 'spike.csv', '--format', 'csv'], csv.io)).toBe(0);
    expect(csv.out.stdout.split('\n')[0]).toBe('tS,load,concurrency,ready,starting,terminating,replicas,want,panic,excessBurstCapacity,mode,numActivators,stableAvg,panicAvg,poke');
  });

  it('writes the SVG plot', async () => {
    const { io, out } = memoryIo({ 'spike.csv': SPIKE });
    expect(await dispatch(['simulate', 'spike.csv', '--svg', 'o.svg', '--quiet'], io)).toBe(0);
    expect(String(out.written.get('o.svg'))).toMatch(/^<svg /);
  });

  it.each([
    ['a bad flag', ['--tick', 'soon'], 2, '--tick'],
    ['an unknown config key', ['--config', 'stable-windw=30s'], 2, 'stable-windw'],
    ['an unknown annotation', ['--annotation', 'max-scal=3'], 2, 'autoscaling.knative.dev/max-scal'],
    ['a config value out of range', ['--config', 'max-scale-up-rate=0.5'], 2, 'max-scale-up-rate'],
    ['an annotation value out of range', ['--annotation', 'panic-threshold-percentage=50'], 2, 'panic-threshold-percentage'],
    ['min-scale above max-scale', ['--annotation', 'min-scale=5', '--annotation', 'max-scale=3'], 2, 'max-scale'],
  ])('rejects %s with exit %d, naming it', async (_name, extra, code, needle) => {
    const { io, out } = memoryIo({ 'spike.csv': SPIKE });
    expect(await dispatch(['simulate', 'spike.csv', ...extra], io)).toBe(code);
    expect(out.stderr).toContain(needle);
    expect(out.stdout).toBe('');
  });

  it('reports a bad trace by line and column, exit 2', async () => {
    const { io, out } = memoryIo({ 'bad.csv': 'seconds,concurrency\n0,0\n5,lots\n' });
    expect(await dispatch(['simulate', 'bad.csv'], io)).toBe(2);
    expect(out.stderr).toContain('bad.csv:3:2');
  });

  it('reports a missing trace file, exit 1', async () => {
    const { io, out } = memoryIo();
    expect(await dispatch(['simulate', 'nope.csv'], io)).toBe(1);
    expect(out.stderr).toContain('cannot read trace nope.csv');
  });

  it('errors carry a stable code', () => {
    expect(new CliError('E_CONFIG', 'x').exitCode).toBe(2);
  });
});

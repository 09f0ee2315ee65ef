// `kpa status` against a real redis-server, with decisions written by the bus's real publisher.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createDecisionPublisher, decisionsLatestKey, decisionsStream, type DecisionPublisher, type DecisionRecord } from '@kpa-ts/bus';
import { freePort, startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { Redis } from 'ioredis';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CliIo } from '../src/commands/index.js';
import { runStatus, type StatusEnv } from '../src/commands/status.js';
import { CliError } from '../src/errors.js';

const T0 = 1_800_000_000_000;
const root = new URL('../../../', import.meta.url).pathname;
const main = join(root, 'packages/cli/dist/main.js');

const decision = (patch: Partial<DecisionRecord> = {}): DecisionRecord => ({
  ns: 'default', rev: 'hello-00001', ts: T0 - 4_000, desired: 3, ready: 3, ebc: 89, mode: 'serve', numActivators: 2, podCapacity: 100, ...patch,
});

function memoryIo() {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    readFile: async () => '',
    writeFile: async () => undefined,
  };
  return { io, out };
}

/** A fixed clock and a Ctrl-C the test presses. */
function testEnv(tty = false): StatusEnv & { ctrlC(): void } {
  const abort = new AbortController();
  return { now: () => T0, tty, interrupt: () => ({ signal: abort.signal, dispose: () => undefined }), ctrlC: () => abort.abort() };
}

async function statusError(argv: string[]): Promise<CliError> {
  const err = await runStatus(argv, memoryIo().io, testEnv()).then(() => undefined, (e: unknown) => e);
  if (err instanceof CliError) return err;
  throw new Error(`expected a CliError, got ${String(err)}`);
}

interface Row {
  status: string;
  revision: string;
  desired?: number;
  reason?: string;
}

describe('kpa status (real redis-server, decisions from the bus publisher)', () => {
  let redis: RedisServer;
  let raw: Redis;
  let prefix: string;
  let publisher: DecisionPublisher;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url, { retryStrategy: () => 50 });
    raw.on('error', () => undefined);
  });
  afterAll(async () => {
    raw.disconnect();
    await redis.close();
  });
  beforeEach(async () => {
    prefix = `t-${randomUUID().slice(0, 8)}:`;
    publisher = createDecisionPublisher({ redisUrl: redis.url, prefix });
    publisher.publish(decision());
    publisher.publish(decision({ ns: 'production', rev: 'devops-toolkit-00001', ts: T0 - 125_000, desired: 0, ready: 0, ebc: -211, mode: 'proxy', podCapacity: 0 }));
    await publisher.flush();
    // what no publisher writes: a field that is not JSON, and one missing every field but the version
    await raw.hset(decisionsLatestKey(prefix), 'default/garbage', 'not json', 'default/empty-00001', '{"v":"1"}');
  });
  afterEach(async () => {
    await publisher.close();
  });

  const args = (...more: string[]): string[] => ['--redis', redis.url, '--prefix', prefix, ...more];

  it('prints one row per revision, malformed entries shown and counted', async () => {
    const { io, out } = memoryIo();
    expect(await runStatus(args(), io, testEnv())).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+REVISION\s+DESIRED\s+READY\s+MODE\s+EBC\s+ACTIVATORS\s+POD CAPACITY\s+AGE$/);
    expect(out.stdout).toMatch(/^default\s+hello-00001\s+3\s+3\s+serve\s+89\s+2\s+100\s+4s$/m);
    expect(out.stdout).toMatch(/^production\s+devops-toolkit-00001\s+0\s+0\s+proxy\s+-211\s+2\s+unlimited\s+2m05s$/m);
    expect(out.stdout).toMatch(/^default\s+garbage\s.*malformed: bad_shape/m);
    expect(out.stdout).toMatch(/^default\s+empty-00001\s.*malformed: invalid_fields/m);
    expect(out.stdout).toContain(`2 revisions, 2 malformed entries in ${prefix}kpa:decisions:latest`);
  });

  it('--json --namespace: that namespace\'s rows as JSON', async () => {
    const { io, out } = memoryIo();
    expect(await runStatus(args('--json', '--namespace', 'default'), io, testEnv())).toBe(0);
    const doc = JSON.parse(out.stdout) as { revisions: number; malformed: number; rows: Row[] };
    expect(doc).toMatchObject({ revisions: 1, malformed: 2 });
    expect(doc.rows.map((r) => [r.status, r.revision])).toEqual([['malformed', 'empty-00001'], ['malformed', 'garbage'], ['ok', 'hello-00001']]);
  });

  it('another prefix is another bus: nothing to show', async () => {
    const { io, out } = memoryIo();
    expect(await runStatus(['--redis', redis.url, '--prefix', `${prefix}other:`], io, testEnv())).toBe(0);
    expect(out.stdout).toMatch(/^0 revisions, 0 malformed entries in t-.*other:kpa:decisions:latest/);
  });

  it('a key of the wrong type is a Redis error: E_IO (exit 1), not a crash', async () => {
    await raw.set(`${prefix}kpa:decisions:latest`, 'a string');
    const err = await statusError(args());
    expect(err.code).toBe('E_IO');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('WRONGTYPE');
  });

  it('--watch --json: the snapshot, then every new decision from the stream; malformed stream entries counted; Ctrl-C ends it', async () => {
    const { io, out } = memoryIo();
    const env = testEnv();
    const lines = (): Array<Record<string, unknown>> => out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const run = runStatus(args('--watch', '--json'), io, env);
    await waitFor(() => lines().length >= 1, { what: 'the snapshot line' });
    expect(lines()[0]).toMatchObject({ type: 'snapshot', revisions: 2, malformed: 2 });

    publisher.publish(decision({ rev: 'empty-00001', desired: 7, ts: T0 }));
    await publisher.flush();
    await waitFor(() => lines().find((l) => l['type'] === 'decision'), { what: 'the new decision' });
    expect(lines()[1]).toMatchObject({ type: 'decision', source: 'stream', row: { status: 'ok', revision: 'empty-00001', desired: 7, ageMs: 0 } });

    await raw.xadd(decisionsStream(prefix), '*', 'v', '1', 'ns', 'default', 'rev', 'x', 'desired', 'lots');
    await waitFor(() => lines().find((l) => l['type'] === 'malformed'), { what: 'the malformed stream entry counted' });
    expect(lines().find((l) => l['type'] === 'malformed')).toMatchObject({ skipped: 1, total: 1 });

    const startedAt = Date.now();
    env.ctrlC();
    expect(await run).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('--watch rides out a Redis restart: says it lost Redis, then shows decisions again', async () => {
    const { io, out } = memoryIo();
    const env = testEnv();
    const run = runStatus(args('--watch'), io, env);
    try {
      await waitFor(() => out.stdout.includes('2 revisions'), { what: 'the table' });
      await redis.stop();
      await waitFor(() => out.stdout.includes('lost Redis; reconnecting'), { what: 'the reconnect line', timeoutMs: 5_000 });
      await redis.restart();
      publisher.publish(decision({ rev: 'after-00001', desired: 2 }));
      await waitFor(() => out.stdout.includes('default/after-00001 desired=2'), { what: 'a decision after the restart', timeoutMs: 10_000 });
    } finally {
      env.ctrlC();
      expect(await run).toBe(0);
    }
  });
});

describe('kpa status when Redis is not there', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // accepts connections and never answers: a hung Redis
    silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('nothing listening: E_IO (exit 1) at once, naming Redis and the cause', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const err = await statusError(['--redis', `redis://127.0.0.1:${port}`]);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(err.code).toBe('E_IO');
    expect(err.message).toContain(`Redis at redis://127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a Redis that never answers: E_IO within --timeout', async () => {
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const startedAt = Date.now();
    const err = await statusError(['--redis', `redis://127.0.0.1:${address.port}`, '--timeout', '500ms', '--watch']);
    const elapsed = Date.now() - startedAt;
    expect(err.code).toBe('E_IO');
    expect(err.message).toContain('no answer within 500 ms');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1_500);
  });
});

describe('kpa status (the built binary)', () => {
  let redis: RedisServer;
  let prefix: string;
  beforeAll(async () => {
    redis = await startRedis();
    prefix = `t-${randomUUID().slice(0, 8)}:`;
    const publisher = createDecisionPublisher({ redisUrl: redis.url, prefix });
    publisher.publish(decision({ ts: Date.now() }));
    await publisher.flush();
    await publisher.close();
  });
  afterAll(() => redis.close());

  const kpa = (...args: string[]) => {
    const r = spawnSync(process.execPath, [main, 'status', ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('exit 0 and the table', () => {
    const r = kpa('--redis', redis.url, '--prefix', prefix);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default\s+hello-00001\s+3\s+3\s+serve\s+89\s+2\s+100\s+\d+s$/m);
  });

  it('exit 1 with a clear message when Redis is unreachable, within a few seconds', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const r = kpa('--redis', `redis://127.0.0.1:${port}`);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`kpa: cannot read kpa:decisions:latest from Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(r.stdout).toBe('');
  });

  it('exit 1 soon after --timeout when Redis never answers (no socket left holding the process)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const startedAt = Date.now();
      // spawnSync would block the event loop this test server runs on: spawn and wait instead
      const child = spawn(process.execPath, [main, 'status', '--redis', `redis://127.0.0.1:${address.port}`, '--timeout', '500ms'], { cwd: root, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      // 500 ms + node's start-up; ioredis's default 2 s destroy timer would show here
      expect(Date.now() - startedAt).toBeLessThan(1_800);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('exit 2 on a bad flag, naming it', () => {
    const r = kpa('--timeout', 'forever');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout');
  });

  it('--watch ends on SIGINT with exit 0 and leaves nothing running', async () => {
    const child = spawn(process.execPath, [main, 'status', '--watch', '--redis', redis.url, '--prefix', prefix], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('1 revision,'), { what: 'the table' });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

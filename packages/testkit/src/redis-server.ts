import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kill the server (SIGKILL when `hard`), keeping the port for `restart()`. */
  stop(opts?: { hard?: boolean }): Promise<void>;
  /** Start it again on the same port (empty data set). */
  restart(): Promise<void>;
  /** Stop it and remove its directory. */
  close(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    let buf = '';
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        sock.destroy();
        resolve(buf.startsWith('+PONG'));
      }
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts a real `redis-server` (Debian's package) on a free loopback port with no persistence,
 * in a temporary directory that `close()` removes.
 */
export async function startRedis(opts: { bin?: string; port?: number } = {}): Promise<RedisServer> {
  const bin = opts.bin ?? process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  const port = opts.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'kpa-redis-'));
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    proc.once('exit', () => (exited = true));
    proc.once('error', (err) => {
      exited = true;
      stderr += String(err);
    });
    child = proc;
    await waitFor(
      async () => {
        if (exited) throw new Error(`redis-server exited: ${stderr.trim() || 'no output'} (is redis-server installed?)`);
        return ping(port);
      },
      { timeoutMs: 10_000, what: `redis-server on port ${port}` },
    );
  };

  const stop = async ({ hard = false } = {}): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    restart: start,
    close: async () => {
      await stop({ hard: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

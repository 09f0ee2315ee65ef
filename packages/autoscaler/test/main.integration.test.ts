// The kpa-autoscaler binary as a child process: env validation, admin port, config file reload,
// the bus, and SIGTERM (leases released, exit 0). Needs `pnpm build` (scripts/test builds).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, afterAll, beforeAll } from '@jest/globals';
import { createStatsPublisher, decisionsLatestKey, shardLeaseKey } from '@kpa-ts/bus';
import { freePort, startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { Redis } from 'ioredis';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runMain(env: Record<string, string>): Run {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` (scripts/test does) first`);
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

let redis: RedisServer;
let raw: Redis;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
  dir = await mkdtemp(join(tmpdir(), 'kpa-as-main-'));
});
afterAll(async () => {
  raw.disconnect();
  await redis.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kpa-autoscaler binary', () => {
  it.each([
    ['REDIS_URL', { REDIS_URL: 'localhost:6379', BACKEND: 'memory' }],
    ['ADMIN_PORT', { REDIS_URL: 'redis://127.0.0.1:1', BACKEND: 'memory', ADMIN_PORT: '-1' }],
    ['RUNTIME_URL', { REDIS_URL: 'redis://127.0.0.1:1', BACKEND: 'local' }],
  ])('invalid env → exit 1 naming %s', async (variable, env) => {
    const run = runMain(env);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`${variable}=`);
  });

  it('runs: /healthz, /metrics, config reload (valid and invalid), scales and publishes, SIGTERM releases the leases', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}:`;
    const adminPort = await freePort();
    const configFile = join(dir, 'config-autoscaler.yaml');
    await writeFile(configFile, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-autoscaler\ndata:\n  stable-window: "20s"\n');
    const revisionsFile = join(dir, 'revisions.json');
    await writeFile(revisionsFile, JSON.stringify([{ namespace: 'default', revision: 'hello', annotations: {}, containerConcurrency: 10, replicas: 1 }]));
    const run = runMain({
      REDIS_URL: redis.url,
      KPA_PREFIX: prefix,
      AUTOSCALER_NAME: 'as-main',
      BACKEND: 'memory',
      MEMORY_REVISIONS_FILE: revisionsFile,
      CONFIG_FILE: configFile,
      CONFIG_POLL_MS: '200',
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      STATS_SHARDS: '4',
      LEASE_TTL_MS: '1000',
      TICK_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(async () => (await get(adminPort, '/healthz')).status === 200, { timeoutMs: 10_000, what: '/healthz 200' });
      await waitFor(async () => (await get(adminPort, '/metrics')).body.includes('autoscaler_owned_shards 4'), { what: 'all 4 shards owned' });
      expect((await get(adminPort, '/metrics')).body).toContain('autoscaler_config_reloads_total 1');

      // Load: 35 in flight at target 7 per pod (cc 10 × 0.7) → 5 pods.
      const stats = createStatsPublisher({ redisUrl: redis.url, prefix, shards: 4, flushIntervalMs: 10 });
      const timer = setInterval(() => stats.publish({ ns: 'default', rev: 'hello', pod: 'hello-0', ts: Date.now(), conc: 35, pconc: 0, reqs: 35, preqs: 0, uptime: 5, src: 'qp' }), 250);
      try {
        await waitFor(async () => JSON.parse((await raw.hget(decisionsLatestKey(prefix), 'default/hello')) ?? '{}').desired === '5', { timeoutMs: 10_000, what: 'decision desired 5' });
      } finally {
        clearInterval(timer);
        await stats.close();
      }
      const metrics = (await get(adminPort, '/metrics')).body;
      expect(metrics).toMatch(/autoscaler_desired_pods\{namespace="default",revision="hello"\} 5/);
      expect(metrics).toMatch(/autoscaler_target_concurrency_per_pod\{namespace="default",revision="hello"\} 7/);

      await writeFile(configFile, 'stable-window: "2s"\n'); // below the 6 s minimum
      await waitFor(async () => (await get(adminPort, '/metrics')).body.includes('autoscaler_config_reload_failures_total 1'), { what: 'reload failure counted' });
      expect(run.stdout()).toContain('"key":"stable-window"');

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      for (let s = 0; s < 4; s++) expect(await raw.get(shardLeaseKey(s, prefix))).toBeNull();
      expect(run.stdout()).toContain('"msg":"stopped"');
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

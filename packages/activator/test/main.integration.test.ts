import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { send } from './helpers/http-client.js';
import { startPod, type TestPod } from './helpers/pods.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the activator binary (dist/main.js)', () => {
  let redis: RedisServer;
  let pod: TestPod;
  let child: ChildProcess;
  let port: number;
  let adminPort: number;
  let stderr = '';
  const dir = mkdtempSync(join(tmpdir(), 'kpa-act-main-'));

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` (scripts/test does) first`);
    redis = await startRedis();
    pod = await startPod('p1', '127.79.0.1');
    const file = join(dir, 'topology.json');
    writeFileSync(file, JSON.stringify({ revisions: [{ namespace: 'default', revision: 'hello', containerConcurrency: 1, endpoints: [pod.endpoint()] }] }));
    port = await freePort();
    adminPort = await freePort();
    child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, REDIS_URL: redis.url, KPA_PREFIX: 'main-test:', TOPOLOGY_FILE: file, PORT: String(port), ADMIN_PORT: String(adminPort), LISTEN_HOST: '127.0.0.1', ADMIN_HOST: '127.0.0.1', ACTIVATOR_NAME: 'act-main', LOG_LEVEL: 'warn', DRAIN_TIMEOUT_MS: '5000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status === 200, { what: `activator ready (stderr: ${stderr})` });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await pod.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes to the file topology and answers the probe', async () => {
    expect(await send(port, { host: 'hello.default.kpa.local' })).toMatchObject({ status: 200, body: 'pod=p1' });
    expect(await send(port, { headers: { 'k-network-probe': 'activator' } })).toMatchObject({ status: 200, body: 'activator\n' });
  });

  it('on SIGTERM: readiness off, the in-flight request completes, then it exits 0', async () => {
    const slow = send(port, { host: 'hello.default.kpa.local', path: '/?delay=500' });
    await waitFor(() => pod.inFlight === 1, { what: 'the slow request at the pod' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await slow).toMatchObject({ status: 200 });
    expect(await exited).toBe(0);
  });

  it('an invalid environment exits 1 naming the variable', async () => {
    const bad = spawn(process.execPath, [MAIN], { env: { ...process.env, QUEUE_DEPTH: '-5', TOPOLOGY_FILE: '/nope.json' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    bad.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => bad.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toContain('QUEUE_DEPTH="-5"');
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalRuntime, type LocalRuntime, type RevisionTemplate } from '@kpa-ts/runtime-local';
import { startRedis, waitFor, type RedisServer } from '@kpa-ts/testkit';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { alive, appLog, httpGet, pidsOf, REAL_QUEUE_PROXY, recordEvents, requireSampleApp, template, testIpRange, waitReady } from './support.js';

// The same pods with the real queue-proxy (packages/queue-proxy/dist/main.js, built by
// `pnpm build` / scripts/test) in front of the sample app, and a real redis-server for its stats.
let redis: RedisServer | undefined;
const runtimes: LocalRuntime[] = [];
const prefix = `rt-${Math.random().toString(36).slice(2, 8)}:`;

function liveRedis(): RedisServer {
  if (redis === undefined) throw new Error('redis-server not started');
  return redis;
}

function runtime(): LocalRuntime {
  const rt = createLocalRuntime({
    queueProxy: { command: process.execPath, args: [REAL_QUEUE_PROXY], env: { LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: prefix } },
    ipRange: testIpRange(),
    redisUrl: liveRedis().url,
    probeIntervalMs: 200,
    terminationGraceMs: 10_000,
  });
  runtimes.push(rt);
  return rt;
}

/** Knative's queue-proxy keeps serving ~1 s after SIGTERM before it stops accepting; 0 here where the test does not care. */
function fastDrain(t: RevisionTemplate): RevisionTemplate {
  return { ...t, env: { QUEUE_DRAIN_GRACE_SECONDS: '0' } };
}

// Skipped (and counted as skipped) only while the queue-proxy has no built binary at all, i.e. before
// packages/queue-proxy lands; scripts/test builds it, so a normal run always takes this suite.
const hasQueueProxy = existsSync(REAL_QUEUE_PROXY);
const describeWithQueueProxy = hasQueueProxy ? describe : describe.skip;

beforeAll(async () => {
  if (!hasQueueProxy) return;
  requireSampleApp();
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.close()));
});

afterAll(async () => {
  await redis?.close();
});

describeWithQueueProxy('local runtime with the real queue-proxy', () => {
  it("a request to a pod's ip:8012 is served by that pod's app; the queue-proxy reports stats to Redis", async () => {
    const rt = runtime();
    const rec = recordEvents(rt);
    rt.deploy(fastDrain(template('real', {}, 2)), 2);
    const pods = await waitReady(rt, 'real', 2);
    for (const p of pods) {
      expect(await httpGet(p.ip, 8012, '/?latency=5')).toEqual({ status: 200, body: `hello from ${p.name}\n` });
    }
    expect(rec.readyCounts('real')).toEqual(expect.arrayContaining([1, 2]));
    const keys = await waitFor(
      () => execFileSync('redis-cli', ['-p', String(liveRedis().port), '--scan', '--pattern', `${prefix}kpa:stats:*`], { encoding: 'utf8' }).trim(),
      { timeoutMs: 5_000, what: 'stats streams in Redis' },
    );
    expect(keys.split('\n').length).toBeGreaterThanOrEqual(1);
  });

  it('scale-down drains: a slow in-flight request through the queue-proxy completes', async () => {
    const rt = runtime();
    rt.deploy(template('realdrain'), 1);
    const [pod] = await waitReady(rt, 'realdrain', 1);
    if (!pod) throw new Error('no pod');
    const slow = httpGet(pod.ip, pod.port, '/?latency=2000');
    await waitFor(() => appLog(rt, pod).includes('"request"'), { what: 'the slow request reached the app' });
    rt.scale('test', 'realdrain', 0);
    expect(rt.readyCount('test', 'realdrain')).toBe(0);
    expect(await slow).toEqual({ status: 200, body: `hello from ${pod.name}\n` });
    await waitFor(() => rt.pods('test', 'realdrain').length === 0, { timeoutMs: 10_000, what: 'pod gone' });
    expect(pidsOf([pod]).some(alive)).toBe(false);
  });

  it('killPod → replaced; close() leaves no child process', async () => {
    const rt = runtime();
    rt.deploy(fastDrain(template('realkill')), 2);
    const before = await waitReady(rt, 'realkill', 2);
    const victim = before[0];
    if (!victim) throw new Error('no pod');
    rt.killPod(victim.name);
    const after = await waitFor(
      () => {
        const pods = rt.pods('test', 'realkill');
        return pods.length === 2 && pods.every((p) => p.ready && p.name !== victim.name) ? pods : undefined;
      },
      { timeoutMs: 15_000, what: 'a ready replacement' },
    );
    const pids = pidsOf([...before, ...after]);
    await rt.close();
    expect(pids.filter(alive)).toEqual([]);
  });
});

// `pnpm bench runtime-local`: how long a pod takes to become routable (scale 0→1 until ready, and
// the first request through its queue-proxy), against the baseline of the sample app alone (spawn
// until it answers), and how long a scale-down takes (SIGTERM → both processes gone). Bounded:
// a few pods, one after another. Writes a Markdown section to $BENCH_OUT.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createLocalRuntime } from '../src/index.js';

const SAMPLE_APP = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));
const QUEUE_PROXY = fileURLToPath(new URL('../../queue-proxy/dist/main.js', import.meta.url));
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const RANGE = '127.250.7.0/24';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function get(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error('bench: timed out');
    await sleep(2);
  }
}

/** Baseline: the sample app alone, spawn → first 200. */
async function appAlone(i: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [SAMPLE_APP], { env: { ...process.env, HOST: '127.250.8.1', PORT: String(18_080 + i) }, stdio: 'ignore' });
  await until(async () => (await get('127.250.8.1', 18_080 + i)) === 200);
  const ms = performance.now() - t0;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const rt = createLocalRuntime({ queueProxy: { command: process.execPath, args: [QUEUE_PROXY], env: { LOG_LEVEL: 'warn' } }, ipRange: RANGE });
rt.deploy({ namespace: 'bench', revision: 'cold', containerConcurrency: 0, app: { command: process.execPath, args: [SAMPLE_APP] } });

/** scale 0→1: until the runtime marks it ready, until a request through ip:8012 answers, then scale 1→0 until gone. */
async function podRound(): Promise<{ readyMs: number; firstRequestMs: number; terminateMs: number }> {
  const t0 = performance.now();
  rt.scale('bench', 'cold', 1);
  await until(() => rt.readyCount('bench', 'cold') === 1);
  const readyMs = performance.now() - t0;
  const [pod] = rt.pods('bench', 'cold');
  if (!pod || (await get(pod.ip, pod.port)) !== 200) throw new Error('bench: pod did not answer');
  const firstRequestMs = performance.now() - t0;
  const t1 = performance.now();
  rt.scale('bench', 'cold', 0);
  await until(() => rt.pods('bench', 'cold').length === 0);
  return { readyMs, firstRequestMs, terminateMs: performance.now() - t1 };
}

async function threePods(): Promise<number> {
  const t0 = performance.now();
  rt.scale('bench', 'cold', 3);
  await until(() => rt.readyCount('bench', 'cold') === 3);
  const ms = performance.now() - t0;
  rt.scale('bench', 'cold', 0);
  await until(() => rt.pods('bench', 'cold').length === 0);
  return ms;
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)] ?? NaN;
  return `${med.toFixed(0)} | ${(s[0] ?? NaN).toFixed(0)} | ${(s.at(-1) ?? NaN).toFixed(0)}`;
};

try {
  const alone: number[] = [];
  const rounds: Awaited<ReturnType<typeof podRound>>[] = [];
  for (let i = 0; i < ROUNDS; i += 1) alone.push(await appAlone(i));
  for (let i = 0; i < ROUNDS; i += 1) rounds.push(await podRound());
  const three: number[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(ROUNDS / 2)); i += 1) three.push(await threePods());
  const section = `## runtime-local: pod cold start

\`packages/runtime-local/bench/cold-start.bench.ts\`: pods = sample app + real queue-proxy as local
processes, one at a time, ${ROUNDS} rounds (ms: median | min | max). The queue-proxy keeps serving
~1 s after SIGTERM before it drains (QUEUE_DRAIN_GRACE_SECONDS), which dominates the scale-down.

| measure | median | min | max |
|---|---|---|---|
| baseline: sample app alone, spawn → first 200 | ${stats(alone)} |
| scale 0→1 → runtime marks the pod ready | ${stats(rounds.map((r) => r.readyMs))} |
| scale 0→1 → first 200 through ip:8012 | ${stats(rounds.map((r) => r.firstRequestMs))} |
| scale 1→0 → both processes gone | ${stats(rounds.map((r) => r.terminateMs))} |
| scale 0→3 → 3 ready | ${stats(three)} |
`;
  console.log(section);
  if (process.env['BENCH_OUT']) writeFileSync(process.env['BENCH_OUT'], section);
} finally {
  await rt.close();
}

// Processes, load and measurements for bench/proxy.bench.ts (not a bench itself: scripts/bench.mjs
// runs *.bench.ts only). Everything on 127.0.0.1; every run is bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export const HOST = '127.0.0.1';
const CLK_TCK = 100; // Linux USER_HZ

/** A user container answering `hello world\n`, after `workMs` of busy CPU (0: at once). */
const appSource = (workMs: number): string => `
import { createServer } from 'node:http';
const work = ${workMs};
const s = createServer((req, res) => {
  if (work > 0) { const end = performance.now() + work; while (performance.now() < end); }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '12' });
  res.end('hello world\\n');
});
s.keepAliveTimeout = 65000;
s.listen(Number(process.env.PORT), '127.0.0.1');
`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function get(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path: '/', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

function track(child: ChildProcess, port: number): Proc {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid: child.pid ?? -1,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startApp(workMs: number): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', appSource(workMs)], { env: { ...process.env, PORT: String(port) }, stdio: 'inherit' });
  await until(async () => (await get(port)) === 200, 'app');
  return track(child, port);
}

/** `node dist/main.js` (cwd = the package) in front of `userPort`; `env` adds REDIS_URL, NODE_OPTIONS, … */
export async function startProxy(userPort: number, cc: number, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    stdio: 'inherit',
    env: {
      ...env,
      PATH: process.env['PATH'] ?? '',
      SERVING_NAMESPACE: 'bench',
      SERVING_REVISION: `bench-cc${cc}`,
      SERVING_POD: 'bench-pod',
      QUEUE_SERVING_PORT: String(port),
      METRICS_PORT: String(await freePort()),
      USER_PORT: String(userPort),
      CONTAINER_CONCURRENCY: String(cc),
      QUEUE_DRAIN_GRACE_SECONDS: '0',
      LOG_LEVEL: 'warn',
    },
  });
  await until(async () => (await get(port, { 'K-Network-Probe': 'queue' })) === 200, `queue-proxy cc=${cc}`);
  return track(child, port);
}

/** utime + stime of a process in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

export interface Mem {
  /** VmRSS: what `ps`/`top` show */
  rss: number;
  /** RssAnon: the process's own memory (heap, stacks, malloc); the rest of VmRSS is file pages (the node binary), shared */
  anon: number;
  /** VmHWM: peak VmRSS over the process's life */
  hwm: number;
}

export function memMb(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), hwm: kb('VmHWM') };
}

export interface MaxResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU µs per request of the load generator (this process), the proxy (if any) and the app */
  cpu: { gen: number; proxy: number; app: number };
  /** largest VmRSS / RssAnon of the proxy seen while loaded (sampled every 100 ms) */
  peak: { rss: number; anon: number };
}

/** Several runs of one target as one: totals for rates and CPU per request, medians for latency, max for memory. */
export function combine(runs: MaxResult[]): MaxResult {
  const sum = (g: (r: MaxResult) => number): number => runs.reduce((a, r) => a + g(r), 0);
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  const perReq = (g: (r: MaxResult) => number): number => sum((r) => g(r) * r.requests) / Math.max(1, requests);
  const median = (g: (r: MaxResult) => number): number => runs.map(g).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? NaN;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    failed: sum((r) => r.failed),
    cpu: { gen: perReq((r) => r.cpu.gen), proxy: perReq((r) => r.cpu.proxy), app: perReq((r) => r.cpu.app) },
    peak: { rss: Math.max(...runs.map((r) => r.peak.rss)), anon: Math.max(...runs.map((r) => r.peak.anon)) },
  };
}

/** Closed-loop max throughput: autocannon with `connections` keep-alive connections for `seconds`. */
export async function maxThroughput(port: number, pids: { proxy?: number; app: number }, seconds: number, connections: number): Promise<MaxResult> {
  const before = { gen: process.cpuUsage(), proxy: pids.proxy !== undefined ? cpuMs(pids.proxy) : 0, app: cpuMs(pids.app) };
  const peak = { rss: 0, anon: 0 };
  const sample = (): void => {
    if (pids.proxy === undefined) return;
    const m = memMb(pids.proxy);
    peak.rss = Math.max(peak.rss, m.rss);
    peak.anon = Math.max(peak.anon, m.anon);
  };
  const sampler = setInterval(sample, 100);
  const r = await autocannon({ url: `http://${HOST}:${port}/`, connections, duration: seconds });
  clearInterval(sampler);
  sample();
  const gen = process.cpuUsage(before.gen);
  const n = Math.max(1, r.requests.total);
  const perReqUs = (ms: number): number => (ms * 1000) / n;
  return {
    requests: r.requests.total,
    seconds,
    rps: r.requests.total / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failed: r.errors + r.timeouts + r.non2xx,
    cpu: {
      gen: perReqUs((gen.user + gen.system) / 1000),
      proxy: pids.proxy !== undefined ? perReqUs(cpuMs(pids.proxy) - before.proxy) : 0,
      app: perReqUs(cpuMs(pids.app) - before.app),
    },
    peak,
  };
}

export interface LatencyResult {
  p50: number;
  p90: number;
  p99: number;
  count: number;
  failed: number;
  /** CPU of the proxy (if any) over the run, in % of one core and in µs per request */
  proxyCpuPct: number;
  proxyCpuUs: number;
}

/**
 * Open-loop fixed-rate probe with µs timing, all targets interleaved in the same run: every ~1 ms
 * the requests owed so far are sent, round-robin over the targets with a rotating start, each on a
 * keep-alive connection of its target's own pool, timed from send to last byte. Whatever else runs
 * on the machine hits every target alike, so the differences between targets are the hop's cost.
 */
export async function interleavedLatency(targets: Array<{ port: number; proxyPid?: number | undefined }>, ratePerTarget: number, seconds: number): Promise<LatencyResult[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 16 }));
  const samples: number[][] = targets.map(() => []);
  const failed = targets.map(() => 0);
  const cpu0 = targets.map((t) => (t.proxyPid !== undefined ? cpuMs(t.proxyPid) : 0));
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request({ host: HOST, port: targets[i]!.port, path: '/', agent: agents[i]! }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) samples[i]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else failed[i]! += 1;
          resolve();
        });
      });
      req.on('error', () => {
        failed[i]! += 1;
        resolve();
      });
      req.end();
    });
  const pending: Array<Promise<void>> = [];
  const total = ratePerTarget * targets.length;
  const start = performance.now();
  let sent = 0;
  let rotate = 0;
  while (performance.now() - start < seconds * 1000) {
    const owed = Math.floor(((performance.now() - start) / 1000) * total) - sent;
    for (let k = 0; k < owed; k++, sent++) pending.push(one((rotate + k) % targets.length));
    rotate = (rotate + 1) % targets.length;
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;
  for (const a of agents) a.destroy();
  return targets.map((t, i) => {
    const s = samples[i]!.sort((a, b) => a - b);
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
    const proxyMs = t.proxyPid !== undefined ? cpuMs(t.proxyPid) - cpu0[i]! : 0;
    const proxyCpuPct = proxyMs / 10 / elapsedS;
    return { p50: q(0.5), p90: q(0.9), p99: q(0.99), count: s.length, failed: failed[i]!, proxyCpuPct, proxyCpuUs: (proxyMs * 1000) / Math.max(1, s.length) };
  });
}

/** VmRSS and RssAnon of a fresh `node` right after importing `modules` (cwd = the package). */
export function importMem(modules: string[]): Promise<{ rss: number; anon: number }> {
  const src = `${modules.map((m) => `await import('${m}');`).join(' ')}
const s = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
const kb = (f) => Number(new RegExp(f + ':\\\\s+(\\\\d+) kB').exec(s)[1]) / 1024;
process.stdout.write(JSON.stringify({ rss: kb('VmRSS'), anon: kb('RssAnon') }));`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => resolve(out ? (JSON.parse(out) as { rss: number; anon: number }) : { rss: NaN, anon: NaN }));
  });
}

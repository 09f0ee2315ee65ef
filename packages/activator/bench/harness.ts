// Processes and measurements for gateway.bench.ts (not a bench itself: scripts/bench.mjs runs
// *.bench.ts only). Loopback only; every run is bounded in time.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLK_TCK = 100; // Linux USER_HZ
export const HOST = 'r.bench.kpa.local'; // the activator routes by it; the others ignore it

export interface Proc {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** `node bench/<file>.mjs ...args` (plain node: no loader in the measured process), resolved once it prints `PORT <n>`. */
export function startChild(name: string, file: string, args: string[]): Promise<Proc> {
  const child: ChildProcess = spawn(process.execPath, [`${here}${file}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        resolve({
          name,
          pid: child.pid ?? -1,
          port: Number(m[1]),
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { 'k-network-probe': 'activator' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * The production binary, `node dist/main.js` (cwd = the package), with TOPOLOGY=static: one
 * revision `bench/r` with containerConcurrency `cc` on `upstreamPort`, no Redis (so Proxy mode).
 */
export async function startBinary(name: string, upstreamPort: number, cc: number): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'act-bench-'));
  const file = join(dir, 'topology.json');
  writeFileSync(file, JSON.stringify({ revisions: [{ namespace: 'bench', revision: 'r', containerConcurrency: cc, endpoints: [{ pod: 'up', ip: '127.0.0.1', port: upstreamPort, ready: true }] }] }));
  const port = await freePort();
  const env = { PATH: process.env['PATH'] ?? '', TOPOLOGY: 'static', TOPOLOGY_FILE: file, LISTEN_HOST: '127.0.0.1', PORT: String(port), ADMIN_HOST: '127.0.0.1', ADMIN_PORT: String(await freePort()), LOG_LEVEL: 'warn', ACTIVATOR_NAME: 'act-bench' };
  const child = spawn(process.execPath, ['dist/main.js'], { stdio: 'inherit', env });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  while (!(await probe(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bench: ${name} (dist/main.js) did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name,
    pid: child.pid ?? -1,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** utime + stime of a process in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

export interface Mem {
  /** VmRSS */
  rss: number;
  /** RssAnon: the process's own pages (heap, malloc); the rest of VmRSS is the node binary's file pages, shared */
  anon: number;
}

export function memMb(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

export interface MaxRun {
  requests: number;
  seconds: number;
  failed: number;
  /** CPU ms of the proxy under test (0 for direct) and of the upstream over the run */
  proxyCpuMs: number;
  appCpuMs: number;
  /** largest VmRSS / RssAnon of the proxy while loaded (sampled every 100 ms) */
  peak: Mem;
}

/** Closed-loop max throughput: autocannon with `connections` keep-alive connections for `seconds`. */
export async function maxThroughput(port: number, pids: { proxy: number | undefined; app: number }, seconds: number, connections: number): Promise<MaxRun> {
  const before = { proxy: pids.proxy !== undefined ? cpuMs(pids.proxy) : 0, app: cpuMs(pids.app) };
  const peak = { rss: 0, anon: 0 };
  const sample = (): void => {
    if (pids.proxy === undefined) return;
    const m = memMb(pids.proxy);
    peak.rss = Math.max(peak.rss, m.rss);
    peak.anon = Math.max(peak.anon, m.anon);
  };
  const sampler = setInterval(sample, 100);
  const r = await autocannon({ url: `http://127.0.0.1:${port}/`, headers: { host: HOST }, connections, duration: seconds });
  clearInterval(sampler);
  sample();
  return {
    requests: r.requests.total,
    seconds,
    failed: r.errors + r.timeouts + r.non2xx,
    proxyCpuMs: pids.proxy !== undefined ? cpuMs(pids.proxy) - before.proxy : 0,
    appCpuMs: cpuMs(pids.app) - before.app,
    peak,
  };
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  count: number;
  failed: number;
  /** CPU µs per request of the proxy (0 for direct) at this rate */
  proxyCpuUs: number;
}

/**
 * Open-loop fixed-rate probe, every target in the same window: every ~1 ms the requests owed so
 * far are sent, round-robin over the targets from a rotating start, each on a keep-alive
 * connection of its target's own pool, timed from send to last byte (µs resolution). Whatever else
 * runs on the machine hits every target alike, so the differences between targets are the hop's.
 */
export async function interleavedLatency(targets: Array<{ port: number; proxyPid: number | undefined }>, ratePerTarget: number, seconds: number): Promise<Latency[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 32 }));
  const samples: number[][] = targets.map(() => []);
  const failed = targets.map(() => 0);
  const cpu0 = targets.map((t) => (t.proxyPid !== undefined ? cpuMs(t.proxyPid) : 0));
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port: targets[i]?.port, path: '/', headers: { host: HOST }, agent: agents[i] }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) samples[i]?.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else failed[i] = (failed[i] ?? 0) + 1;
          resolve();
        });
      });
      req.on('error', () => {
        failed[i] = (failed[i] ?? 0) + 1;
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
  for (const a of agents) a.destroy();
  return targets.map((t, i) => {
    const s = (samples[i] ?? []).sort((a, b) => a - b);
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
    const proxyMs = t.proxyPid !== undefined ? cpuMs(t.proxyPid) - (cpu0[i] ?? 0) : 0;
    return { p50: q(0.5), p90: q(0.9), p99: q(0.99), count: s.length, failed: failed[i] ?? 0, proxyCpuUs: (proxyMs * 1000) / Math.max(1, s.length) };
  });
}

/** Each percentile of the median window on its own (one hiccup of the machine does not decide it); counts and CPU over all. */
export function medianWindow(ws: Latency[]): Latency {
  const med = (g: (l: Latency) => number): number => ws.map(g).sort((a, b) => a - b)[Math.floor(ws.length / 2)] ?? NaN;
  const count = ws.reduce((a, l) => a + l.count, 0);
  return {
    p50: med((l) => l.p50),
    p90: med((l) => l.p90),
    p99: med((l) => l.p99),
    count,
    failed: ws.reduce((a, l) => a + l.failed, 0),
    proxyCpuUs: ws.reduce((a, l) => a + l.proxyCpuUs * l.count, 0) / Math.max(1, count),
  };
}

// `pnpm bench activator`: what the activator costs in front of a pod, in one run. Two upstreams: a
// trivial one (200 "ok", ~20 µs of CPU per request: the activator's worst case) and a realistic one
// (1 ms of CPU per request). For each: closed-loop max throughput (autocannon, rounds in alternating
// order) directly, through a bare node:http proxy (the floor for a node:http proxy) and through the
// activator (Serve; Proxy cc 0 as the production binary; Proxy cc 100), with CPU per request and
// memory of the proxy; then an
// open-loop probe at a moderate rate that interleaves all targets so machine noise hits them alike.
// Upstream, proxies and the load generator are separate processes on 2 shared cores. Bounded
// (~85 s), loopback only. Writes a Markdown section to $BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { interleavedLatency, maxThroughput, medianWindow, memMb, startBinary, startChild, type Latency, type MaxRun, type Mem, type Proc } from './harness.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUND_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const CONNECTIONS = 50;
const TRIVIAL_RATE = 500; // req/s per target: a busy revision, far from saturation
const REALISTIC_WORK_MS = 1;
const REALISTIC_RATE = 200; // req/s per target: 20 % of its app's core
const WINDOWS = 3;
const WINDOW_SECONDS = 3;

const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

interface Target {
  name: string;
  port: number;
  proxy: Proc | undefined;
  /** the upstream behind this target */
  app: Proc;
  idle?: Mem;
}

interface Max {
  rps: number;
  proxyUs: number;
  appUs: number;
  failed: number;
  peak: Mem;
}

function combine(runs: MaxRun[]): Max {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const per = (g: (r: MaxRun) => number): number => (runs.reduce((a, r) => a + g(r), 0) * 1000) / Math.max(1, requests);
  return {
    rps: requests / runs.reduce((a, r) => a + r.seconds, 0),
    proxyUs: per((r) => r.proxyCpuMs),
    appUs: per((r) => r.appCpuMs),
    failed: runs.reduce((a, r) => a + r.failed, 0),
    peak: { rss: Math.max(...runs.map((r) => r.peak.rss)), anon: Math.max(...runs.map((r) => r.peak.anon)) },
  };
}

/** A warm-up each (JIT, keep-alive sockets), then ROUNDS runs of every target in alternating order. */
async function measureMax(targets: Target[]): Promise<Max[]> {
  const pids = (t: Target): { proxy: number | undefined; app: number } => ({ proxy: t.proxy?.pid, app: t.app.pid });
  for (const t of targets) await maxThroughput(t.port, pids(t), 1, CONNECTIONS);
  const runs = targets.map((): MaxRun[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = targets.map((_, i) => (round % 2 === 0 ? i : targets.length - 1 - i));
    for (const i of order) runs[i]?.push(await maxThroughput(targets[i]?.port ?? 0, pids(targets[i] as Target), ROUND_SECONDS, CONNECTIONS));
  }
  return targets.map((t, i) => {
    const m = combine(runs[i] ?? []);
    console.log(`max ${t.name}: ${f(m.rps)} req/s, CPU µs/req proxy ${f(m.proxyUs, 1)} app ${f(m.appUs, 1)}, peak ${f(m.peak.rss, 1)} MB`);
    return m;
  });
}

async function measureLatency(targets: Target[], rate: number): Promise<Latency[]> {
  const windows: Latency[][] = [];
  for (let w = 0; w < WINDOWS; w++) windows.push(await interleavedLatency(targets.map((t) => ({ port: t.port, proxyPid: t.proxy?.pid })), rate, WINDOW_SECONDS));
  return targets.map((t, i) => {
    const l = medianWindow(windows.map((ws) => ws[i] as Latency));
    console.log(`${rate} req/s ${t.name}: p50 ${f(l.p50, 3)} p99 ${f(l.p99, 3)} ms (${l.count}, failed ${l.failed})`);
    return l;
  });
}

const activator = (name: string, upstream: Proc, mode: 'serve' | 'proxy', cc: number): Promise<Proc> => startChild(name, 'activator-child.mjs', [String(upstream.port), mode, String(cc)]);

function maxTable(targets: Target[], max: Max[], bareIndex: number | undefined): string[] {
  const d = max[0] as Max;
  const bare = bareIndex === undefined ? undefined : max[bareIndex];
  return [
    `| path | max req/s | × direct |${bare ? ' × bare proxy |' : ''} CPU µs/req: proxy / upstream | proxy VmRSS idle → peak MB (RssAnon) | errors |`,
    `|---|---:|---:|${bare ? '---:|' : ''}---|---|---:|`,
    ...targets.map((t, i) => {
      const m = max[i] as Max;
      const mem = t.proxy && t.idle ? `${f(t.idle.rss)} → ${f(m.peak.rss)} (${f(t.idle.anon)} → ${f(m.peak.anon)})` : '–';
      return `| ${t.name} | ${f(m.rps)} | ${f(m.rps / d.rps, 2)} |${bare ? ` ${t.proxy ? f(m.rps / bare.rps, 2) : '–'} |` : ''} ${t.proxy ? f(m.proxyUs, 1) : '–'} / ${f(m.appUs, 1)} | ${mem} | ${m.failed} |`;
    }),
  ];
}

function latencyTable(targets: Target[], lat: Latency[], rate: number): string[] {
  const d = lat[0] as Latency;
  return [
    `| path @ ${rate} req/s each | p50 ms | p90 ms | p99 ms | added p50 / p99 ms | proxy CPU µs/req | requests | failed |`,
    '|---|---:|---:|---:|---|---:|---:|---:|',
    ...targets.map((t, i) => {
      const l = lat[i] as Latency;
      const added = t.proxy ? `${f(l.p50 - d.p50, 2)} / ${f(l.p99 - d.p99, 2)}` : '–';
      return `| ${t.name} | ${f(l.p50, 2)} | ${f(l.p90, 2)} | ${f(l.p99, 2)} | ${added} | ${t.proxy ? f(l.proxyCpuUs) : '–'} | ${l.count} | ${l.failed} |`;
    }),
  ];
}

type Keep = (p: Promise<Proc>) => Promise<Proc>;

interface Section {
  targets: Target[];
  max: Max[];
  lat: Latency[];
}

async function withIdleMemory(targets: Target[], settleMs: number): Promise<Target[]> {
  await new Promise((r) => setTimeout(r, settleMs)); // start-up settles before idle memory is read
  for (const t of targets) if (t.proxy) t.idle = memMb(t.proxy.pid);
  return targets;
}

/** The trivial upstream: the activator's worst case (it does more work than the app). */
async function trivialSection(keep: Keep): Promise<Section> {
  const app = await keep(startChild('upstream', 'upstream-child.mjs', ['0']));
  const [bare, serve, proxy0, proxy100] = (await Promise.all([
    keep(startChild('bare', 'bare-proxy-child.mjs', [String(app.port)])),
    keep(activator('serve', app, 'serve', 0)),
    keep(startBinary('proxy0', app.port, 0)),
    keep(activator('proxy100', app, 'proxy', 100)),
  ])) as [Proc, Proc, Proc, Proc];
  const targets = await withIdleMemory(
    [
      { name: 'direct', port: app.port, proxy: undefined, app },
      { name: 'bare node:http proxy (floor)', port: bare.port, proxy: bare, app },
      { name: 'activator, Serve', port: serve.port, proxy: serve, app },
      { name: 'activator binary (`node dist/main.js`), Proxy cc 0', port: proxy0.port, proxy: proxy0, app },
      { name: 'activator, Proxy cc 100', port: proxy100.port, proxy: proxy100, app },
    ],
    1000,
  );
  const max = await measureMax(targets);
  const lat = await measureLatency(targets, TRIVIAL_RATE);
  for (const t of targets) await t.proxy?.stop();
  return { targets, max, lat };
}

/** A realistic upstream: 1 ms of CPU per request; each target has its own app process. */
async function realisticSection(keep: Keep): Promise<Section> {
  const apps = await Promise.all([0, 1, 2].map((i) => keep(startChild(`upstream 1 ms #${i}`, 'upstream-child.mjs', [String(REALISTIC_WORK_MS)]))));
  const [app0, app1, app2] = apps as [Proc, Proc, Proc];
  const [serve, proxy] = (await Promise.all([keep(activator('serve 1ms', app1, 'serve', 0)), keep(activator('proxy 1ms', app2, 'proxy', 100))])) as [Proc, Proc];
  const targets = await withIdleMemory(
    [
      { name: 'direct', port: app0.port, proxy: undefined, app: app0 },
      { name: 'activator, Serve', port: serve.port, proxy: serve, app: app1 },
      { name: 'activator, Proxy cc 100', port: proxy.port, proxy, app: app2 },
    ],
    500,
  );
  const max = await measureMax(targets);
  const lat = await measureLatency(targets, REALISTIC_RATE);
  return { targets, max, lat };
}

function render(trivial: Section, realistic: Section, run: { load: number; loadEnd: number; seconds: number }): string {
  const lines = [
    '## activator: gateway overhead (`packages/activator/bench/gateway.bench.ts`)',
    '',
    'An upstream hit directly, through a bare node:http pipe proxy (the floor for a node:http proxy: no routing,',
    'header hygiene, throttling, metrics or retries) and through the activator (`dist`, undici to the pod), all',
    'on 127.0.0.1; upstream, proxy and autocannon in their own processes on 2 shared cores. Max: closed loop,',
    `${CONNECTIONS} connections, ${ROUNDS} rounds × ${ROUND_SECONDS} s per target in alternating order, summed; CPU per request`,
    'from /proc (utime + stime). Latency: open loop, every target interleaved in the same windows (µs timing,',
    `send → last byte), the median of ${WINDOWS} windows × ${WINDOW_SECONDS} s. Load average ${f(run.load, 1)} at the start, ${f(run.loadEnd, 1)} at the end`,
    `(other work on the machine skews every row alike); ${f(run.seconds)} s in all.`,
    '',
    '**Trivial upstream** (200 "ok", ~20 µs of CPU per request: the activator does more work than the app)',
    '',
    ...maxTable(trivial.targets, trivial.max, 1),
    '',
    ...latencyTable(trivial.targets, trivial.lat, TRIVIAL_RATE),
    '',
    `**Realistic upstream** (${REALISTIC_WORK_MS} ms of CPU per request: the app is the bottleneck; each target has its own app process)`,
    '',
    ...maxTable(realistic.targets, realistic.max, undefined),
    '',
    ...latencyTable(realistic.targets, realistic.lat, REALISTIC_RATE),
    '',
    'The Serve and cc 100 rows run the package in a small harness (`bench/activator-child.mjs`: the decision feed',
    'is a stub, so Serve can be chosen without Redis); the cc 0 row is the production binary (static topology, no',
    "Redis). Memory: both load the package's every dependency (the Kubernetes client is ~70 MB of it, whatever the topology).",
    'Serve: routing, header hygiene, X-Forwarded-*, metrics, least-in-flight picking, retries. Proxy also counts',
    "the request in the activator's stats, takes a per-pod breaker slot (cc 0: unlimited) and sets `k-proxied-by`.",
    'Goals and what was changed to get here: packages/activator/README.md, "Performance".',
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg()[0] ?? NaN;
  const procs: Proc[] = [];
  const keep: Keep = async (p) => {
    const proc = await p;
    procs.push(proc);
    return proc;
  };
  try {
    const trivial = await trivialSection(keep);
    const realistic = await realisticSection(keep);
    const text = render(trivial, realistic, { load, loadEnd: loadavg()[0] ?? NaN, seconds: (Date.now() - started) / 1000 });
    console.log(`\n${text}`);
    const out = process.env['BENCH_OUT'];
    if (out) writeFileSync(out, text);
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

await main();

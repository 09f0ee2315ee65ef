// `pnpm bench activator`: req/s and latency of a trivial upstream hit directly vs through the
// activator (Serve; Proxy cc 0; Proxy cc 100), in one run. Upstream and activator run as child
// processes; autocannon drives them from this process. Writes a Markdown section to $BENCH_OUT.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const children: ChildProcess[] = [];

function startChild(file: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', `${here}${file}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function cannon(port: number, opts: { seconds: number; connections: number; rate?: number }): Promise<Run> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    headers: { host: 'r.bench.kpa.local' },
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);

const upstream = await startChild('upstream-child.ts', []);
const targets: { name: string; args: [string, string] | undefined; port: number }[] = [
  { name: 'direct (no activator)', args: undefined, port: upstream },
  { name: 'bare node:http proxy (floor)', args: undefined, port: await startChild('bare-proxy-child.ts', [String(upstream)]) },
  { name: 'activator, Serve', args: ['serve', '0'], port: 0 },
  { name: 'activator, Proxy cc 0', args: ['proxy', '0'], port: 0 },
  { name: 'activator, Proxy cc 100', args: ['proxy', '100'], port: 0 },
];
const rows: { name: string; max: Run; fixed: Run }[] = [];
try {
  for (const t of targets) {
    if (t.args) t.port = await startChild('activator-child.ts', [String(upstream), ...t.args]);
    await cannon(t.port, { seconds: 1, connections: 10 }); // warm-up: JIT, keep-alive sockets
  }
  // The machine is shared: rounds interleave the targets and the best round counts.
  const best = new Map<string, Run>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const r = await cannon(t.port, { seconds: SECONDS, connections: 50 });
      const prev = best.get(t.name);
      if (!prev || r.rps > prev.rps) best.set(t.name, { ...r, errors: r.errors + (prev?.errors ?? 0), non2xx: r.non2xx + (prev?.non2xx ?? 0) });
    }
  }
  const bestFixed = new Map<string, Run>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const r = await cannon(t.port, { seconds: SECONDS, connections: 20, rate: RATE });
      const prev = bestFixed.get(t.name);
      if (!prev || r.p99 < prev.p99) bestFixed.set(t.name, { ...r, errors: r.errors + (prev?.errors ?? 0), non2xx: r.non2xx + (prev?.non2xx ?? 0) });
    }
  }
  for (const t of targets) {
    const max = best.get(t.name) as Run;
    const fixed = bestFixed.get(t.name) as Run;
    rows.push({ name: t.name, max, fixed });
    console.log(`${t.name}: ${max.rps.toFixed(0)} req/s max; at ${RATE} req/s p50 ${fixed.p50} ms p99 ${fixed.p99} ms`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
}

const base = rows[0] as (typeof rows)[number];
const lines = [
  '## activator: gateway overhead (`packages/activator/bench/gateway.bench.ts`)',
  '',
  `A trivial upstream (200 "ok") hit directly and through the activator, all on 127.0.0.1, upstream and`,
  `activator each in their own process, autocannon in a third (2 cores shared by all three).`,
  `Max: best of ${ROUNDS} interleaved ${SECONDS} s runs, 50 connections. Fixed rate: ${RATE} req/s, 20 connections,`,
  `${SECONDS} s, the round with the lowest p99 of ${ROUNDS} interleaved ones.`,
  `Load average when the bench started: ${loadavg()[0]?.toFixed(1)} (other work on the machine skews every row alike).`,
  '',
  '| path | req/s (max) | vs direct | p50 ms @ rate | p99 ms @ rate | added p99 ms | errors | non-2xx |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    `| ${r.name} | ${r.max.rps.toFixed(0)} | ${(r.max.rps / base.max.rps).toFixed(2)} | ${r.fixed.p50} | ${r.fixed.p99} | ${r === base ? '—' : (r.fixed.p99 - base.fixed.p99).toFixed(0)} | ${r.max.errors + r.fixed.errors} | ${r.max.non2xx + r.fixed.non2xx} |`,
  ),
  '',
  'The bare proxy is the floor for any Node.js proxy in this setup (pipe, nothing else). Serve adds',
  'routing, header hygiene, X-Forwarded-*, metrics, retries and least-in-flight picking; Proxy also',
  'counts the request in the activator\'s stats, takes a per-pod breaker slot (cc 0: unlimited) and',
  'sets `k-proxied-by`.',
];
const out = process.env['BENCH_OUT'];
if (out) writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));

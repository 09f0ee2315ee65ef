// `pnpm bench cli`: scale-from-zero time to first byte through the whole stack (activator poke →
// autoscaler → runtime API → pod processes → ready → the queued request answered), against the
// baseline of the sample app alone (spawn → first byte) in the same run. Each round deploys a
// fresh revision at zero, sends one request, then deletes it: bounded, no waiting for scale-down.
// Writes a Markdown section to $BENCH_OUT.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARIES, deployApp, freePort, startStack, type Stack } from '../src/demo/index.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);

/** ms from now until the response head (first byte) of GET / with `host`; rejects on non-200. */
function ttfb(url: string, host: string | undefined): Promise<number> {
  const u = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/', agent: false, headers: host ? { host } : {} }, (res) => {
      const ms = performance.now() - t0;
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(ms) : reject(new Error(`status ${res.statusCode ?? 0}`))));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Baseline: the sample app alone, spawn → first byte of its first 200. */
async function appAlone(): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [BINARIES.sampleApp], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: 'ignore' });
  for (;;) {
    const ok = await ttfb(`http://127.0.0.1:${port}`, undefined).then(() => true, () => false);
    if (ok) break;
    if (performance.now() - t0 > 20_000) throw new Error('bench: the sample app did not answer');
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

interface ColdRound {
  ttfbMs: number;
  /** request sent → pod created (poke, autoscaler decision, runtime API) */
  decideMs: number;
  /** pod created → ready (both processes started, probe passed) */
  podMs: number;
  /** ready → first byte (the activator releases the queued request) */
  releaseMs: number;
}

async function coldRound(stack: Stack, i: number): Promise<ColdRound> {
  const app = await deployApp(stack, { namespace: 'bench', revision: `cold-${i}`, containerConcurrency: 100, maxScale: 1, latencyMs: 0 });
  const sentAt = Date.now();
  const ttfbMs = await ttfb(stack.activatorUrl, app.host);
  const [pod] = await stack.client.pods(app.namespace, app.revision);
  await stack.client.deleteRevision(app.namespace, app.revision);
  const created = pod?.createdAtMs ?? sentAt;
  const ready = pod?.readyAtMs ?? created;
  return { ttfbMs, decideMs: created - sentAt, podMs: ready - created, releaseMs: sentAt + ttfbMs - ready };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};
const fmt = (ms: number): string => ms.toFixed(0);

const logDir = mkdtempSync(join(tmpdir(), 'kpa-bench-cold-'));
const stack = await startStack({ logDir, autoscalers: 1, config: { 'allow-zero-initial-scale': 'true' } });
try {
  const alone: number[] = [];
  const cold: ColdRound[] = [];
  await coldRound(stack, 0); // warm-up (first revision: caches, JIT)
  await appAlone();
  for (let i = 1; i <= ROUNDS; i += 1) {
    alone.push(await appAlone());
    cold.push(await coldRound(stack, i));
  }
  const col = (f: (r: ColdRound) => number): number[] => cold.map(f);
  const row = (name: string, xs: number[]): string => `| ${name} | ${fmt(quantile(xs, 0.5))} | ${fmt(quantile(xs, 0.9))} | ${fmt(Math.min(...xs))} | ${fmt(Math.max(...xs))} |`;
  const overhead = cold.map((r, k) => r.ttfbMs - (alone[k] ?? 0));
  const section = `## Scale from zero end to end (cli: cold-start-e2e)

One request to a revision at zero through the whole stack as local processes: the activator queues
it and pokes the autoscaler (Redis stream), the autoscaler scales the revision to 1 through the runtime
API, the runtime starts the pod (sample app + queue-proxy on its own 127.x address) and probes it, the
activator sees it ready through the runtime watch and releases the request. Baseline, same run: the
sample app alone, spawn → first byte. ${ROUNDS} rounds (a fresh revision each, deleted after), after a warm-up.

| ms | median | p90 | min | max |
|---|---:|---:|---:|---:|
${row('**first byte through the activator, from zero**', col((r) => r.ttfbMs))}
${row('sample app alone: spawn → first byte (baseline)', alone)}
${row('**added by kpa-ts (cold TTFB − baseline, per round)**', overhead)}
${row('— request → pod created (poke, decision, runtime API)', col((r) => r.decideMs))}
${row('— pod created → ready (two processes + readiness probe)', col((r) => r.podMs))}
${row('— ready → first byte (watch → activator → pod)', col((r) => r.releaseMs))}

The pod start includes a second process (the queue-proxy) and the probe period; the app's own start is
in the baseline. Re-run: \`pnpm bench cli\` (BENCH_ROUNDS=${ROUNDS}).
`;
  process.stdout.write(section);
  if (process.env['BENCH_OUT']) writeFileSync(process.env['BENCH_OUT'], section);
} finally {
  await stack.stop();
}

// `kpa demo [options]`: flags parsed by node:util parseArgs, then checked by zod (errors name the flag).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseDurationMs } from '../duration.js';
import { CliError } from '../errors.js';

export interface DemoOptions {
  /** Closed-loop clients of the burst (seed 003: 500). */
  concurrency: number;
  /** Length of the burst (seed 003: 60 s). */
  durationMs: number;
  /** `autoscaling.knative.dev/max-scale` (seed 003: 3). */
  maxScale: number;
  /** containerConcurrency of the sample app (seed 003: 100). */
  containerConcurrency: number;
  /** config-autoscaler `stable-window` (Knative: 60 s). */
  stableWindowMs: number;
  /** config-autoscaler `scale-to-zero-grace-period` (Knative: 30 s). */
  graceMs: number;
  /** `target-burst-capacity` (Knative: 211; 0 lets the activator leave the path as soon as a pod is up). */
  targetBurstCapacity: number;
  /** The sample app's LATENCY_MS: how long each request takes in the app. */
  latencyMs: number;
  /** Autoscaler replicas (shard leases between them). */
  autoscalers: number;
  /** How long to wait for the revision to be back at zero after the burst before giving up. */
  settleTimeoutMs: number;
  /** More config-autoscaler keys (`--config key=value`), over the flags above. */
  config: Record<string, string>;
  /** The SVG plot; default `<log dir>/demo.svg`. */
  svgPath: string | undefined;
  json: boolean;
  help: boolean;
}

export const DEMO_USAGE = `Usage: kpa demo [options]

Runs the whole stack as local processes (redis-server, the runtime API with pods on 127.x addresses,
autoscaler replicas, the activator), deploys the sample app (containerConcurrency 100, min-scale 0,
max-scale 3), waits at zero, then runs seed 003's experiment: a burst of closed-loop clients through
the activator, then idle until the revision is back at zero. Live view each second, siege-like
summary, pods-over-time plot (SVG + ASCII) and a timeline at the end. Ctrl-C stops everything.

Options:
  --concurrency N            clients in the burst (default 500)
  --duration D               burst length (default 60s)
  --max-scale N              autoscaling.knative.dev/max-scale (default 3)
  --container-concurrency N  the app's containerConcurrency (default 100)
  --stable-window D          config-autoscaler stable-window, 6s..1h (default 60s, Knative's)
  --grace D                  scale-to-zero-grace-period (default 30s, Knative's)
  --target-burst-capacity=N  target-burst-capacity, -1 or >= 0 (default 211, Knative's)
  --latency-ms N             time each request spends in the app (default 250: the pods, not the
                             proxies on this machine's CPUs, must be the bottleneck)
  --config key=value         any other config-autoscaler key, repeatable (e.g. panic-window-percentage=40)
  --autoscalers N            autoscaler replicas, 1..3 (default 2)
  --settle-timeout D         max wait for scale to zero after the burst (default stable window + grace + 60s)
  --svg FILE                 where to write the plot (default <log dir>/demo.svg)
  --json                     print ONE JSON line at the end (requests, failures, availability,
                             maxPods, finalPods, firstResponseMs); the live view goes to stderr
  -h, --help                 this help

Durations: Go syntax (500ms, 15s, 1m30s) or a plain number of milliseconds.`;

const ARG_SPEC = {
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  'max-scale': { type: 'string' },
  'container-concurrency': { type: 'string' },
  'stable-window': { type: 'string' },
  grace: { type: 'string' },
  'target-burst-capacity': { type: 'string' },
  'latency-ms': { type: 'string' },
  config: { type: 'string', multiple: true },
  autoscalers: { type: 'string' },
  'settle-timeout': { type: 'string' },
  svg: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const int = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: `--${flag}: must be an integer in ${min}..${max}` })
    .transform(Number)
    .pipe(z.number().min(min, { error: `--${flag}: must be an integer in ${min}..${max}` }).max(max, { error: `--${flag}: must be an integer in ${min}..${max}` }));

const duration = (flag: string, minMs: number, maxMs: number) =>
  z.string().transform((s, ctx) => {
    const ms = parseDurationMs(s);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `--${flag}: "${s}" must be a duration in ${minMs / 1000}s..${maxMs / 1000}s (Go syntax like 15s, 1m30s, or ms)` });
      return z.NEVER;
    }
    return ms;
  });

const wholeSeconds = (flag: string, minMs: number, maxMs: number) =>
  duration(flag, minMs, maxMs).refine((ms) => ms % 1000 === 0, { error: `--${flag}: must be whole seconds (Knative's rule)` });

const schema = z.object({
  concurrency: int('concurrency', 1, 5000).default(500),
  duration: duration('duration', 1000, 3_600_000).default(60_000),
  'max-scale': int('max-scale', 0, 100).default(3),
  'container-concurrency': int('container-concurrency', 0, 1000).default(100),
  'stable-window': wholeSeconds('stable-window', 6000, 3_600_000).default(60_000),
  grace: duration('grace', 1, 3_600_000).default(30_000),
  'target-burst-capacity': int('target-burst-capacity', -1, 100_000).default(211),
  'latency-ms': int('latency-ms', 0, 60_000).default(250),
  config: z.array(z.string().regex(/^[a-z][a-z0-9-]*=.*$/, { error: '--config: must be key=value with a config-autoscaler key (e.g. stable-window=30s)' })).default([]),
  autoscalers: int('autoscalers', 1, 3).default(2),
  'settle-timeout': duration('settle-timeout', 1000, 7_200_000).optional(),
  svg: z.string().min(1).optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

/** Parses `kpa demo` flags; a bad flag is a CliError('E_USAGE') naming it. */
export function parseDemoArgs(argv: string[]): DemoOptions {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: ARG_SPEC, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliError('E_USAGE', (err as Error).message, { cause: err });
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError('E_USAGE', issue?.message.startsWith('--') ? issue.message : `--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  const v = parsed.data;
  return {
    concurrency: v.concurrency,
    durationMs: v.duration,
    maxScale: v['max-scale'],
    containerConcurrency: v['container-concurrency'],
    stableWindowMs: v['stable-window'],
    graceMs: v.grace,
    targetBurstCapacity: v['target-burst-capacity'],
    latencyMs: v['latency-ms'],
    autoscalers: v.autoscalers,
    settleTimeoutMs: v['settle-timeout'] ?? v['stable-window'] + v.grace + 60_000,
    config: Object.fromEntries(v.config.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    svgPath: v.svg,
    json: v.json,
    help: v.help,
  };
}

// `kpa simulate <trace.csv> [options]`: flags parsed by node:util parseArgs, then checked by zod.
import { parseArgs } from 'node:util';
import { ANNOTATION_PREFIX } from '@kpa-ts/config';
import { z } from 'zod';
import { parseDurationMs } from './duration.js';
import { CliError } from './errors.js';

export type OutputFormat = 'table' | 'csv' | 'json';

export interface SimulateOptions {
  tracePath: string;
  /** Full keys (`autoscaling.knative.dev/max-scale`), as written on a pod template. */
  annotations: Record<string, string>;
  /** config-autoscaler ConfigMap data. */
  config: Record<string, string>;
  containerConcurrency: number;
  podStartDelayMs: number;
  podStopDelayMs: number;
  initialPods: number;
  /** Mean request latency, to convert rps ↔ concurrency by Little's law (concurrency = rps × latency). */
  latencyMs: number;
  /** undefined: the trace's end + enough time to settle back (see defaultDurationMs). */
  durationMs: number | undefined;
  tickMs: number;
  format: OutputFormat;
  svgPath: string | undefined;
  pngPath: string | undefined;
  quiet: boolean;
  help: boolean;
}

export const SIMULATE_USAGE = `Usage: kpa simulate <trace.csv> [options]

Replays a load trace through the real KPA scaling code (@kpa-ts/scaling) on a simulated clock.

Options:
  --annotation key=value      per-revision annotation, repeatable; bare keys get the
                              ${ANNOTATION_PREFIX} prefix (e.g. max-scale=3)
  --config key=value          config-autoscaler key, repeatable (e.g. stable-window=30s)
  --container-concurrency N   containerConcurrency of the revision (default 0 = unlimited)
  --pod-start-delay D         time from scale-up to a ready pod (default 5s)
  --pod-stop-delay D          time a removed pod lingers, not ready, before it is gone (default 0s)
  --initial-pods N            ready pods at t=0 (default 0: the revision starts scaled to zero)
  --latency-ms N              mean request latency for rps <-> concurrency (default 100)
  --duration D                simulated time (default: trace end + stable window + grace + 30s ...)
  --tick D                    autoscaler tick interval (default 2s, whole seconds)
  --format table|csv|json     output format (default table)
  --svg FILE                  write a plot of load and pods over time
  --png FILE                  the same plot as PNG (rendered with @resvg/resvg-js)
  --quiet                     print the summary only, not the timeline
  -h, --help                  this help

Durations: Go syntax (500ms, 5s, 1m30s) or a plain number of milliseconds.`;

const ARG_SPEC = {
  annotation: { type: 'string', multiple: true },
  config: { type: 'string', multiple: true },
  'container-concurrency': { type: 'string' },
  'pod-start-delay': { type: 'string' },
  'pod-stop-delay': { type: 'string' },
  'initial-pods': { type: 'string' },
  'latency-ms': { type: 'string' },
  duration: { type: 'string' },
  tick: { type: 'string' },
  format: { type: 'string' },
  svg: { type: 'string' },
  png: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const duration = (flag: string, min: number) =>
  z
    .string()
    .transform((s, ctx) => {
      const ms = parseDurationMs(s);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `--${flag} = "${s}": not a duration (use Go syntax like 2s, 1m30s, 500ms, or ms)` });
        return z.NEVER;
      }
      return ms;
    })
    .pipe(z.number().min(min, { error: `--${flag} must be at least ${min} ms` }));

const integer = (flag: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: (iss) => `--${flag} = "${String(iss.input)}": must be a whole number >= ${min}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `--${flag} must be >= ${min}` }));

const keyValues = (flag: string) =>
  z.array(
    z.string().regex(/^[^=]+=/, { error: (iss) => `--${flag} "${String(iss.input)}": expected key=value` }),
  );

const wholeSeconds = (flag: string) =>
  duration(flag, 1000).refine((ms) => ms % 1000 === 0, { error: `--${flag} must be whole seconds` });

const optionsSchema = z.object({
  annotation: keyValues('annotation').default([]),
  config: keyValues('config').default([]),
  'container-concurrency': integer('container-concurrency', 0).default(0),
  'pod-start-delay': duration('pod-start-delay', 0).default(5000),
  'pod-stop-delay': duration('pod-stop-delay', 0).default(0),
  'initial-pods': integer('initial-pods', 0).default(0),
  'latency-ms': z
    .string()
    .transform(Number)
    .pipe(z.number({ error: '--latency-ms must be a number' }).positive({ error: '--latency-ms must be > 0' }))
    .default(100),
  duration: wholeSeconds('duration').optional(),
  tick: wholeSeconds('tick').default(2000),
  format: z.enum(['table', 'csv', 'json'], { error: (iss) => `--format = "${String(iss.input)}": must be table, csv or json` }).default('table'),
  svg: z.string().min(1).optional(),
  png: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
  help: z.boolean().default(false),
});

function splitPairs(pairs: string[]): Array<[string, string]> {
  return pairs.map((p) => {
    const at = p.indexOf('=');
    return [p.slice(0, at).trim(), p.slice(at + 1).trim()];
  });
}

/** `max-scale=3` → `autoscaling.knative.dev/max-scale`; keys with a `/` are kept as given. */
export function annotationKey(key: string): string {
  return key.includes('/') ? key : `${ANNOTATION_PREFIX}${key}`;
}

function rawArgs(argv: string[]): ReturnType<typeof parseArgs<{ args: string[]; options: typeof ARG_SPEC; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options: ARG_SPEC, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError('E_USAGE', (err as Error).message, { cause: err });
  }
}

/** Parses `kpa simulate`'s arguments (without the command name). Throws CliError E_USAGE. */
export function parseSimulateArgs(argv: string[]): SimulateOptions {
  const { values, positionals } = rawArgs(argv);
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new CliError('E_USAGE', parsed.error.issues.map((i) => i.message).join('\n'));
  const o = parsed.data;
  if (!o.help && positionals.length !== 1) {
    throw new CliError('E_USAGE', positionals.length === 0 ? 'missing <trace.csv>' : `expected one trace file, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  return {
    tracePath: positionals[0] ?? '',
    annotations: Object.fromEntries(splitPairs(o.annotation).map(([k, v]) => [annotationKey(k), v])),
    config: Object.fromEntries(splitPairs(o.config)),
    containerConcurrency: o['container-concurrency'],
    podStartDelayMs: o['pod-start-delay'],
    podStopDelayMs: o['pod-stop-delay'],
    initialPods: o['initial-pods'],
    latencyMs: o['latency-ms'],
    durationMs: o.duration,
    tickMs: o.tick,
    format: o.format,
    svgPath: o.svg,
    pngPath: o.png,
    quiet: o.quiet,
    help: o.help,
  };
}

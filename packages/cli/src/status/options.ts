// `kpa status [options]`: flags parsed by node:util parseArgs, then checked by zod (errors name the flag).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseDurationMs } from '../duration.js';
import { CliError } from '../errors.js';

export interface StatusOptions {
  /** Where the bus lives (`redis://` or `rediss://`). */
  redisUrl: string;
  /** The bus's key prefix (the components' `prefix` option); '' in production. */
  prefix: string;
  /** Only this namespace's revisions; undefined: all. */
  namespace: string | undefined;
  /** Follow `kpa:decisions` and redraw until Ctrl-C. */
  watch: boolean;
  /** Rows as JSON (with --watch: one JSON document per line). */
  json: boolean;
  /** Bound on reaching Redis and reading the hash: past it, exit 1. */
  timeoutMs: number;
  help: boolean;
}

export const STATUS_DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export const STATUS_USAGE = `Usage: kpa status [options]

What the autoscaler decided, per revision: reads the bus's latest-decision hash
(kpa:decisions:latest) and prints one row per revision: namespace, revision, desired and ready
pods, mode (proxy: the activator is in the path; serve: it forwards at once), excess burst
capacity, number of activators, per-pod capacity and the age of the decision. Entries that do not
decode are shown as malformed and counted.

Options:
  --redis URL          the bus's Redis (default ${STATUS_DEFAULT_REDIS})
  --prefix P           the bus's key prefix (default none)
  --namespace NS       only this namespace's revisions
  --watch              follow the kpa:decisions stream and redraw (plain lines when stdout is not
                       a terminal) until Ctrl-C
  --json               the rows as JSON (with --watch: a snapshot line, then one line per change)
  --timeout D          how long to try reaching Redis before giving up with exit 1 (default 3s)
  -h, --help           this help

Exit codes: 0 ok, 1 Redis unreachable or failing, 2 bad flag.`;

const ARG_SPEC = {
  redis: { type: 'string' },
  prefix: { type: 'string' },
  namespace: { type: 'string' },
  watch: { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const shown = (input: unknown): string => JSON.stringify(input) ?? String(input);

/** Kubernetes namespaces are DNS-1123 labels. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Same rule as the bus's `prefix` option: no blanks, no braces, at most 128 characters. */
const PREFIX = /^[^\s{}]{0,128}$/;
const TIMEOUT_MAX_MS = 60_000;

const optionsSchema = z.object({
  redis: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, { error: (iss) => `--redis = ${shown(iss.input)}: must be a redis:// or rediss:// URL` })
    .refine((s) => URL.canParse(s), { error: (iss) => `--redis = ${shown(iss.input)}: not a valid URL` })
    .default(STATUS_DEFAULT_REDIS),
  prefix: z.string().regex(PREFIX, { error: (iss) => `--prefix = ${shown(iss.input)}: at most 128 characters, no blanks or braces` }).default(''),
  namespace: z
    .string()
    .max(63, { error: (iss) => `--namespace = ${shown(iss.input)}: at most 63 characters` })
    .regex(NAMESPACE, { error: (iss) => `--namespace = ${shown(iss.input)}: must be a DNS-1123 label (a-z, 0-9, '-')` })
    .optional(),
  watch: z.boolean().default(false),
  json: z.boolean().default(false),
  timeout: z
    .string()
    .transform((s, ctx) => {
      const ms = parseDurationMs(s);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `--timeout = ${shown(s)}: not a duration (use Go syntax like 3s, 500ms, or ms)` });
        return z.NEVER;
      }
      return ms;
    })
    .pipe(z.number().min(100, { error: '--timeout must be at least 100ms' }).max(TIMEOUT_MAX_MS, { error: '--timeout must be at most 1m' }))
    .default(3_000),
  help: z.boolean().default(false),
});

function rawArgs(argv: string[]): ReturnType<typeof parseArgs<{ args: string[]; options: typeof ARG_SPEC; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options: ARG_SPEC, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError('E_USAGE', (err as Error).message, { cause: err });
  }
}

/** Parses `kpa status`'s arguments (without the command name). Throws CliError E_USAGE. */
export function parseStatusArgs(argv: string[]): StatusOptions {
  const { values, positionals } = rawArgs(argv);
  if (positionals.length > 0) throw new CliError('E_USAGE', `kpa status takes no arguments, got: ${positionals.join(' ')}`);
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new CliError('E_USAGE', parsed.error.issues.map((i) => i.message).join('\n'));
  const o = parsed.data;
  return {
    redisUrl: o.redis,
    prefix: o.prefix,
    namespace: o.namespace,
    watch: o.watch,
    json: o.json,
    timeoutMs: o.timeout,
    help: o.help,
  };
}

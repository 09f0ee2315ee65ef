// `kpa status`: what the autoscaler decided, per revision, from the bus's latest-decision hash;
// `--watch` follows the decisions stream until Ctrl-C.
import { decisionsLatestKey } from '@kpa-ts/bus';
import { parseStatusArgs, STATUS_USAGE } from '../status/options.js';
import { readHash } from '../status/read-hash.js';
import { maskRedisUrl, renderStatusJson, renderStatusTable, type StatusSource } from '../status/render.js';
import { decodeLatestHash } from '../status/rows.js';
import { watchStatus } from '../status/watch.js';
import type { CliIo, Command } from './command.js';

/** The process around the command, passed in so tests run it in-process with their own clock and Ctrl-C. */
export interface StatusEnv {
  now(): number;
  /** stdout is a terminal (`--watch` redraws in place) */
  tty: boolean;
  /** Ctrl-C for `--watch`: a signal that aborts on SIGINT/SIGTERM, and a way to stop listening */
  interrupt(): { signal: AbortSignal; dispose(): void };
}

/** The real process: wall clock, stdout's TTY-ness, SIGINT/SIGTERM. */
export function processStatusEnv(): StatusEnv {
  return {
    now: () => Date.now(),
    tty: process.stdout.isTTY === true,
    interrupt() {
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      return {
        signal: abort.signal,
        dispose() {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        },
      };
    },
  };
}

/** Runs `kpa status` with `argv` (after the command name). Exit 0; throws CliError (E_USAGE 2, E_IO 1). */
export async function runStatus(argv: string[], io: CliIo, env: StatusEnv = processStatusEnv()): Promise<number> {
  const o = parseStatusArgs(argv);
  if (o.help) {
    io.stdout(`${STATUS_USAGE}\n`);
    return 0;
  }
  const source: StatusSource = { key: decisionsLatestKey(o.prefix), redis: maskRedisUrl(o.redisUrl), namespace: o.namespace };
  const rows = decodeLatestHash(await readHash({ redisUrl: o.redisUrl, key: source.key, timeoutMs: o.timeoutMs }), o.namespace);
  if (!o.watch) {
    io.stdout((o.json ? renderStatusJson : renderStatusTable)(rows, env.now(), source));
    return 0;
  }
  const interrupt = env.interrupt();
  try {
    await watchStatus({ ...o, source }, rows, { write: io.stdout, now: env.now, tty: env.tty, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
  }
  return 0;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'what the autoscaler decided, per revision (from the bus; --watch follows it)',
  run: (argv, io) => runStatus(argv, io),
};

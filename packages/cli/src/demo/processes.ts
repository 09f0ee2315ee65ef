// The demo's child processes: each in its own process group, logging to a file in the demo's log
// directory, tracked by a ChildSet (an 'exit' hook and a reaper process SIGKILL them if the demo
// dies without cleaning up). Stopped in reverse start order: SIGTERM, then SIGKILL after a grace.
import { ChildHandle, ChildSet, type ChildExit } from '@kpa-ts/runtime-local';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  readonly alive: boolean;
  readonly exited: Promise<ChildExit>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs: number): Promise<ChildExit>;
  /** The last lines of its log (for error messages). */
  tail(lines?: number): string;
}

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
}

function logTail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function stopChild(h: ChildHandle, graceMs: number): Promise<ChildExit> {
  if (!h.alive) return h.exited;
  h.signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      h.signal('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([h.exited, killed]);
  clearTimeout(timer);
  return h.exited;
}

/** Starts and stops the demo's processes; none outlives the demo. */
export class Supervisor {
  readonly #dir: string;
  readonly #children = new ChildSet({ reaper: true });
  readonly #started: ManagedProcess[] = [];

  constructor(logDir: string) {
    this.#dir = logDir;
  }

  spawn(spec: SpawnSpec): ManagedProcess {
    const logFile = join(this.#dir, `${spec.name}.log`);
    const h = new ChildHandle({ command: spec.command, args: spec.args, env: spec.env, logFile });
    this.#children.add(h);
    const p: ManagedProcess = {
      name: spec.name,
      logFile,
      get pid() {
        return h.pid;
      },
      get alive() {
        return h.alive;
      },
      exited: h.exited,
      signal: (sig) => h.signal(sig),
      stop: (graceMs) => stopChild(h, graceMs),
      tail: (lines = 15) => logTail(logFile, lines),
    };
    this.#started.push(p);
    return p;
  }

  /** Every process ever started here, in start order. */
  get processes(): readonly ManagedProcess[] {
    return this.#started;
  }

  /** Stops everything, last started first, and waits until every child has exited. */
  async stopAll(graceMs: number): Promise<void> {
    for (const p of [...this.#started].reverse()) await p.stop(graceMs);
    await this.#children.waitAll();
    this.#children.dispose();
  }

  /** SIGKILL to every child now (a second Ctrl-C). */
  killAll(): void {
    this.#children.killAll();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (e.g. ENOENT). */
  error?: Error;
}

export interface ChildSpec {
  command: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  /** stdout and stderr are appended to this file, never inherited. */
  logFile: string;
}

/**
 * A child process in its own process group (so signals reach whatever it spawns, e.g. a shell
 * wrapper), logging to a file. `exited` resolves once, with how it ended; it never rejects.
 */
export class ChildHandle {
  readonly exited: Promise<ChildExit>;
  #proc: ChildProcess | undefined;
  #alive = true;

  constructor(spec: ChildSpec) {
    let resolveExit: (e: ChildExit) => void = () => undefined;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    const done = (e: ChildExit): void => {
      if (!this.#alive) return;
      this.#alive = false;
      resolveExit(e);
    };
    let fd: number | undefined;
    try {
      fd = openSync(spec.logFile, 'a');
      writeSync(fd, `# ${new Date().toISOString()} spawn ${spec.command} ${spec.args.join(' ')}\n`);
      const proc = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', fd, fd], detached: true });
      this.#proc = proc;
      proc.once('exit', (code, signal) => done({ code, signal }));
      proc.once('error', (error) => {
        if (proc.pid === undefined || proc.exitCode !== null) done({ code: null, signal: null, error });
      });
    } catch (error) {
      done({ code: null, signal: null, error: error as Error });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Signals the child's whole process group; a no-op once it has exited. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.pid;
    if (!this.#alive || pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      this.#proc?.kill(sig);
    }
  }
}

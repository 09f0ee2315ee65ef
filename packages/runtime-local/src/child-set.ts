import { spawn, type ChildProcess } from 'node:child_process';
import type { ChildHandle } from './child.js';

// The reaper: a tiny separate process that holds a pipe from us. When the pipe closes (we exited,
// however: even SIGKILL or an unhandled SIGINT, where no 'exit' handler runs) it SIGKILLs every
// process group we registered, then exits. Lines: "+<pid>" register, "-<pid>" forget.
const REAPER_SCRIPT = `
process.title = 'kpa-runtime-reaper';
const groups = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (line[0] === '+') groups.add(pid);
    else if (line[0] === '-') groups.delete(pid);
  }
});
const reap = () => {
  for (const pid of groups) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

/**
 * Every live child of one runtime, so none outlives it: close() waits for them all, the parent's
 * 'exit' event SIGKILLs them synchronously, and (optionally) a reaper process kills them when the
 * parent dies without running 'exit' handlers.
 */
export class ChildSet {
  readonly #children = new Set<ChildHandle>();
  readonly #useReaper: boolean;
  #reaper: ChildProcess | undefined;
  #hooked = false;
  readonly #onExit = (): void => this.killAll();

  constructor(opts: { reaper: boolean }) {
    this.#useReaper = opts.reaper;
  }

  get size(): number {
    return this.#children.size;
  }

  add(child: ChildHandle): void {
    const pid = child.pid;
    if (!child.alive || pid === undefined) return;
    this.#children.add(child);
    this.#hook();
    this.#tellReaper(`+${pid}`);
    void child.exited.then(() => {
      this.#children.delete(child);
      this.#tellReaper(`-${pid}`);
    });
  }

  /** SIGKILL to every live child's process group, synchronously. */
  killAll(): void {
    for (const child of this.#children) child.signal('SIGKILL');
  }

  /** Resolves when every child added so far has exited. */
  async waitAll(): Promise<void> {
    await Promise.all([...this.#children].map((c) => c.exited));
  }

  /** Removes the exit hook and lets the reaper go (it exits when its pipe closes). */
  dispose(): void {
    if (this.#hooked) process.off('exit', this.#onExit);
    this.#hooked = false;
    this.#reaper?.stdin?.end();
    this.#reaper = undefined;
  }

  #hook(): void {
    if (!this.#hooked) process.on('exit', this.#onExit);
    this.#hooked = true;
    if (this.#useReaper && this.#reaper === undefined) this.#reaper = startReaper();
  }

  #tellReaper(line: string): void {
    const stdin = this.#reaper?.stdin;
    if (stdin && !stdin.destroyed && stdin.writable) stdin.write(`${line}\n`);
  }
}

function startReaper(): ChildProcess | undefined {
  try {
    const proc = spawn(process.execPath, ['-e', REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    proc.on('error', () => undefined);
    proc.stdin?.on('error', () => undefined);
    proc.unref();
    (proc.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return proc;
  } catch {
    return undefined;
  }
}

// One container as a local process: started with the image's argv and the pod's env, restarted
// per restartPolicy with exponential back-off, probed for readiness, stopped with SIGTERM then
// SIGKILL after the grace period. Output goes to one log file per container (appended on restart).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ProbePlan } from './probe.js';
import { runProbe } from './probe.js';
import type { ContainerState, ContainerView, TerminatedState } from './pod-status.js';
import { signalGroup, trackGroup, untrackGroup } from './process-group.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerSpec {
  name: string;
  image: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  logFile: string;
  readiness: ProbePlan | undefined;
  restartPolicy: RestartPolicy;
}

export interface BackoffOptions {
  /** First restart delay (the kubelet's is 10 s). */
  baseMs: number;
  /** Cap of the doubling delay (the kubelet's is 5 min). */
  maxMs: number;
  /** A run at least this long resets the delay to `baseMs`. */
  resetAfterMs: number;
}

export interface ContainerEvent {
  type: 'started' | 'exited' | 'signalled' | 'ready' | 'unready';
  container: string;
  pid?: number;
  exitCode?: number | null;
  signal?: string | null;
  restartCount?: number;
}

export interface StopResult {
  /** The process exited by itself within the grace period after SIGTERM. */
  graceful: boolean;
  /** SIGKILL was needed. */
  killed: boolean;
  exitCode: number | null;
  signal: string | null;
}

export interface ContainerHooks {
  onChange: () => void;
  onEvent: (e: ContainerEvent) => void;
  now: () => Date;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };

export class ContainerProcess {
  readonly #spec: ContainerSpec;
  readonly #backoff: BackoffOptions;
  readonly #hooks: ContainerHooks;
  #child: ChildProcess | undefined;
  #state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  #lastState: { terminated: TerminatedState } | undefined;
  #restartCount = 0;
  #ready = false;
  #started = false;
  #stopping = false;
  #delayMs: number;
  #startedAtMs = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #generation = 0;
  #probe = { ok: 0, fail: 0 };
  #exited: Promise<{ code: number | null; signal: string | null }> | undefined;

  constructor(spec: ContainerSpec, backoff: BackoffOptions, hooks: ContainerHooks) {
    this.#spec = spec;
    this.#backoff = backoff;
    this.#hooks = hooks;
    this.#delayMs = backoff.baseMs;
  }

  get name(): string {
    return this.#spec.name;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  view(): ContainerView {
    return {
      name: this.#spec.name,
      image: this.#spec.image,
      state: this.#state,
      ...(this.#lastState === undefined ? {} : { lastState: this.#lastState }),
      ready: this.#ready,
      started: this.#started,
      restartCount: this.#restartCount,
    };
  }

  start(): void {
    if (this.#stopping) return;
    this.#log(`--- start #${this.#restartCount} at ${this.#hooks.now().toISOString()}: ${this.#spec.argv.join(' ')}\n`);
    const fd = openSync(this.#spec.logFile, 'a');
    let child: ChildProcess;
    try {
      const [cmd, ...args] = this.#spec.argv;
      child = spawn(cmd === 'node' ? process.execPath : (cmd as string), args, {
        cwd: this.#spec.cwd,
        env: { ...this.#spec.env },
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.#child = child;
    const generation = ++this.#generation;
    this.#startedAtMs = this.#hooks.now().getTime();
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        this.#log(`--- could not start: ${err.message}\n`);
        resolve({ code: 128, signal: null });
      });
    });
    void this.#exited.then(({ code, signal }) => this.#onExit(generation, code, signal));
    if (child.pid !== undefined) trackGroup(child.pid);
    this.#state = { running: { startedAt: new Date(this.#startedAtMs).toISOString() } };
    this.#started = true;
    this.#hooks.onEvent({ type: 'started', container: this.#spec.name, ...(child.pid === undefined ? {} : { pid: child.pid }), restartCount: this.#restartCount });
    if (this.#spec.readiness === undefined) this.#setReady(true);
    else this.#scheduleProbe(generation, this.#spec.readiness.initialDelayMs);
    this.#hooks.onChange();
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs: number): Promise<StopResult> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#probeTimer);
    const child = this.#child;
    const exited = this.#exited;
    if (child?.pid === undefined || exited === undefined || child.exitCode !== null || child.signalCode !== null) {
      return { graceful: true, killed: false, exitCode: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    }
    const pid = child.pid;
    signalGroup(pid, 'SIGTERM');
    this.#hooks.onEvent({ type: 'signalled', container: this.#spec.name, pid, signal: 'SIGTERM' });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') {
      signalGroup(pid, 'SIGKILL'); // anything the container left behind in its group
      return { graceful: true, killed: false, exitCode: first.code, signal: first.signal };
    }
    signalGroup(pid, 'SIGKILL');
    this.#hooks.onEvent({ type: 'signalled', container: this.#spec.name, pid, signal: 'SIGKILL' });
    const last = await exited;
    return { graceful: false, killed: true, exitCode: last.code, signal: last.signal };
  }

  /** SIGKILL at once (kubelet shutdown). */
  killNow(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#probeTimer);
    const pid = this.#child?.pid;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }

  #log(line: string): void {
    try {
      const fd = openSync(this.#spec.logFile, 'a');
      writeSync(fd, line);
      closeSync(fd);
    } catch {
      // the log directory is gone: nothing to tell
    }
  }

  #onExit(generation: number, code: number | null, signal: string | null): void {
    if (generation !== this.#generation) return;
    const pid = this.#child?.pid;
    if (pid !== undefined) {
      signalGroup(pid, 'SIGKILL');
      untrackGroup(pid);
    }
    clearTimeout(this.#probeTimer);
    const nowMs = this.#hooks.now().getTime();
    const exitCode = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0);
    const terminated: TerminatedState = {
      exitCode,
      ...(signal === null ? {} : { signal: SIGNAL_NUMBERS[signal] ?? 0 }),
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: new Date(this.#startedAtMs).toISOString(),
      finishedAt: new Date(nowMs).toISOString(),
    };
    this.#log(`--- exited: code ${code} signal ${signal}\n`);
    this.#hooks.onEvent({ type: 'exited', container: this.#spec.name, ...(pid === undefined ? {} : { pid }), exitCode: code, signal, restartCount: this.#restartCount });
    this.#ready = false;
    const restart = !this.#stopping && (this.#spec.restartPolicy === 'Always' || (this.#spec.restartPolicy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.#state = { terminated };
      this.#hooks.onChange();
      return;
    }
    if (nowMs - this.#startedAtMs >= this.#backoff.resetAfterMs) this.#delayMs = this.#backoff.baseMs;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxMs);
    this.#lastState = { terminated };
    this.#state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${delay}ms restarting failed container=${this.#spec.name}` } };
    this.#restartTimer = setTimeout(() => {
      this.#restartCount++;
      this.start();
    }, delay);
    this.#hooks.onChange();
  }

  #setReady(ready: boolean): void {
    if (this.#ready === ready) return;
    this.#ready = ready;
    this.#hooks.onEvent({ type: ready ? 'ready' : 'unready', container: this.#spec.name });
    this.#hooks.onChange();
  }

  #scheduleProbe(generation: number, delayMs: number): void {
    this.#probeTimer = setTimeout(() => void this.#probeOnce(generation), delayMs);
  }

  async #probeOnce(generation: number): Promise<void> {
    const plan = this.#spec.readiness;
    if (plan === undefined || generation !== this.#generation || this.#stopping) return;
    const ok = await runProbe(plan.target, plan.timeoutMs);
    if (generation !== this.#generation || this.#stopping || !('running' in this.#state)) return;
    if (ok) {
      this.#probe = { ok: this.#probe.ok + 1, fail: 0 };
      if (this.#probe.ok >= plan.successThreshold) this.#setReady(true);
    } else {
      this.#probe = { ok: 0, fail: this.#probe.fail + 1 };
      if (this.#probe.fail >= plan.failureThreshold) this.#setReady(false);
    }
    // Until the first success, probe at a short interval so a new pod becomes Ready promptly.
    const next = this.#ready ? plan.periodMs : Math.min(plan.periodMs, 250);
    this.#scheduleProbe(generation, next);
  }
}

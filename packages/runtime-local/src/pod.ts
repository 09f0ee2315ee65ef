import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ChildHandle, type ChildExit } from './child.js';
import type { ChildSet } from './child-set.js';
import { appEnv, DEFAULT_APP_PORT, queueProxyEnv, type PodAddress } from './container-env.js';
import { probeQueueProxy } from './probe.js';
import type { Clock, CommandSpec, PodInfo, PodPhase, RevisionTemplate } from './types.js';

export interface ProbeSettings {
  initialIntervalMs: number;
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export interface PodDeps {
  name: string;
  template: RevisionTemplate;
  clock: Clock;
  logger: Logger;
  queueProxy: CommandSpec;
  queueProxyExtraEnv: Record<string, string>;
  queueServingPort: number;
  metricsPort: number;
  probe: ProbeSettings;
  terminationGraceMs: number;
  logDir: string;
  children: ChildSet;
  /** An address where every given port is free, reserved for this pod (rejects when none). */
  acquireAddress: (ports: number[]) => Promise<string>;
  releaseAddress: (ip: string) => void;
  /** The pod's info changed (phase, readiness, address). */
  onChange: (pod: LocalPod) => void;
  /** A container died (or the pod could not start): the pod is gone from the set now. */
  onFailed: (pod: LocalPod, everReady: boolean) => void;
}

// After the queue-proxy has drained, the app still gets at least this long to stop on SIGTERM.
const MIN_APP_GRACE_MS = 1000;

type Stopping = 'no' | 'terminating' | 'failed';

/** One pod: a user-app process and a queue-proxy process on the pod's own loopback address. */
export class LocalPod {
  readonly name: string;
  readonly createdAtMs: number;
  /** Resolves when the pod's processes are gone and its address is released. */
  readonly done: Promise<void>;
  readonly #d: PodDeps;
  #resolveDone: () => void = () => undefined;
  #phase: PodPhase = 'pending';
  #ready = false;
  #everReady = false;
  #readyAtMs: number | undefined;
  #ip = '';
  #app: ChildHandle | undefined;
  #qp: ChildHandle | undefined;
  #stopping: Stopping = 'no';
  #probeTimer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(deps: PodDeps) {
    this.#d = deps;
    this.name = deps.name;
    this.createdAtMs = deps.clock.nowMs();
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  get ready(): boolean {
    return this.#ready;
  }

  info(): PodInfo {
    const t = this.#d.template;
    const info: PodInfo = { name: this.name, namespace: t.namespace, revision: t.revision, ip: this.#ip, port: this.#d.queueServingPort, phase: this.#phase, ready: this.#ready, createdAtMs: this.createdAtMs };
    if (this.#readyAtMs !== undefined) info.readyAtMs = this.#readyAtMs;
    if (this.#app?.pid !== undefined || this.#qp?.pid !== undefined) {
      info.pids = {};
      if (this.#app?.pid !== undefined) info.pids.app = this.#app.pid;
      if (this.#qp?.pid !== undefined) info.pids.queueProxy = this.#qp.pid;
    }
    return info;
  }

  /** Finds an address, starts both containers and the readiness probe. */
  start(): void {
    void this.#start().catch((err: unknown) => {
      this.#d.logger.error({ pod: this.name, err }, 'pod start failed');
      this.#fail();
      if (this.#app === undefined) this.#resolveDone(); // nothing was started: nothing to wait for
    });
  }

  /**
   * Graceful stop: out of the ready set at once, SIGTERM the queue-proxy and let it drain
   * (SIGKILL after terminationGraceMs), then SIGTERM the app. Resolves when everything is gone.
   */
  terminate(): Promise<void> {
    if (this.#stopping !== 'no') return this.done;
    this.#stopping = 'terminating';
    this.#leaveReadySet();
    void this.#stopContainers();
    return this.done;
  }

  /** Fault injection: signal one or both containers; a pod without processes fails at once. */
  kill(signal: NodeJS.Signals, container?: 'app' | 'queue-proxy'): void {
    if (this.#app === undefined || this.#qp === undefined) {
      this.#fail();
      return;
    }
    if (container !== 'queue-proxy') this.#app.signal(signal);
    if (container !== 'app') this.#qp.signal(signal);
  }

  async #start(): Promise<void> {
    const appPort = this.#d.template.app.port ?? DEFAULT_APP_PORT;
    const ip = await this.#d.acquireAddress([appPort, this.#d.queueServingPort, this.#d.metricsPort]);
    if (this.#stopping !== 'no') {
      this.#d.releaseAddress(ip);
      this.#resolveDone();
      return;
    }
    this.#ip = ip;
    this.#spawn();
    this.#phase = 'running';
    this.#d.logger.info({ pod: this.name, ip, appPid: this.#app?.pid, queueProxyPid: this.#qp?.pid }, 'pod started');
    this.#d.onChange(this);
    this.#scheduleProbe(0);
  }

  #spawn(): void {
    const addr: PodAddress = { name: this.name, ip: this.#ip, queueServingPort: this.#d.queueServingPort, metricsPort: this.#d.metricsPort };
    const t = this.#d.template;
    const base = `${t.namespace}_${this.name}`;
    const app = new ChildHandle({ command: t.app.command, args: t.app.args, env: { ...process.env, ...appEnv(t, addr) }, logFile: join(this.#d.logDir, `${base}_app.log`) });
    const qpEnv = queueProxyEnv(t, addr, { ...this.#d.queueProxyExtraEnv, ...this.#d.queueProxy.env });
    const qp = new ChildHandle({ command: this.#d.queueProxy.command, args: this.#d.queueProxy.args, env: { ...process.env, ...qpEnv }, logFile: join(this.#d.logDir, `${base}_queue-proxy.log`) });
    this.#app = app;
    this.#qp = qp;
    this.#d.children.add(app);
    this.#d.children.add(qp);
    void app.exited.then((e) => this.#onExit('app', e));
    void qp.exited.then((e) => this.#onExit('queue-proxy', e));
    void Promise.all([app.exited, qp.exited]).then(() => {
      this.#d.releaseAddress(this.#ip);
      this.#resolveDone();
    });
  }

  #onExit(container: 'app' | 'queue-proxy', e: ChildExit): void {
    if (this.#stopping !== 'no') return;
    this.#d.logger.warn({ pod: this.name, container, code: e.code, signal: e.signal, err: e.error?.message }, 'container exited: pod failed');
    this.#fail();
  }

  /** The pod failed: gone from the set now, remaining processes killed. */
  #fail(): void {
    if (this.#stopping !== 'no') return;
    this.#stopping = 'failed';
    this.#phase = 'terminating';
    this.#ready = false;
    this.#stopProbe();
    this.#app?.signal('SIGKILL');
    this.#qp?.signal('SIGKILL');
    if (this.#app === undefined) this.#resolveDoneWhenUnstarted();
    this.#d.onFailed(this, this.#everReady);
  }

  #resolveDoneWhenUnstarted(): void {
    // #start() sees #stopping and releases the address itself if it is still acquiring one.
    if (this.#ip === '') return;
    this.#d.releaseAddress(this.#ip);
    this.#resolveDone();
  }

  #leaveReadySet(): void {
    this.#phase = 'terminating';
    this.#ready = false;
    this.#stopProbe();
    this.#d.onChange(this);
  }

  async #stopContainers(): Promise<void> {
    const qp = this.#qp;
    const app = this.#app;
    if (qp === undefined || app === undefined) return; // still acquiring an address: #start() finishes
    const deadline = Date.now() + this.#d.terminationGraceMs;
    await stopChild(qp, this.#d.terminationGraceMs);
    await stopChild(app, Math.max(MIN_APP_GRACE_MS, deadline - Date.now()));
    this.#d.logger.info({ pod: this.name }, 'pod terminated');
  }

  #scheduleProbe(afterMs: number): void {
    this.#probeTimer = setTimeout(() => void this.#probe(), afterMs);
  }

  #stopProbe(): void {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  async #probe(): Promise<void> {
    const ok = await probeQueueProxy(this.#ip, this.#d.queueServingPort, this.#d.probe.timeoutMs);
    if (this.#stopping !== 'no') return;
    this.#applyProbe(ok);
    this.#scheduleProbe(this.#everReady ? this.#d.probe.intervalMs : this.#d.probe.initialIntervalMs);
  }

  #applyProbe(ok: boolean): void {
    if (ok) {
      this.#failures = 0;
      if (this.#ready) return;
      this.#ready = true;
      this.#everReady = true;
      this.#phase = 'ready';
      this.#readyAtMs = this.#d.clock.nowMs();
      this.#d.logger.info({ pod: this.name, ip: this.#ip, startupMs: this.#readyAtMs - this.createdAtMs }, 'pod ready');
      this.#d.onChange(this);
      return;
    }
    this.#failures += 1;
    if (!this.#ready || this.#failures < this.#d.probe.failureThreshold) return;
    this.#ready = false;
    this.#phase = 'running';
    this.#d.logger.warn({ pod: this.name, failures: this.#failures }, 'pod unready');
    this.#d.onChange(this);
  }
}

/** SIGTERM, wait up to graceMs for the exit, then SIGKILL and wait. */
async function stopChild(child: ChildHandle, graceMs: number): Promise<void> {
  if (!child.alive) return;
  child.signal('SIGTERM');
  const timeout = new AbortController();
  const timedOut = delay(graceMs, true, { signal: timeout.signal }).catch(() => false);
  const killed = await Promise.race([child.exited.then(() => false), timedOut]);
  timeout.abort();
  if (killed) child.signal('SIGKILL');
  await child.exited;
}

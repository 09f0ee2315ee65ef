import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { AddressPool } from './address-pool.js';
import { checkAddressFree } from './bind-check.js';
import { ChildSet } from './child-set.js';
import { RuntimeError } from './errors.js';
import { checkOptions, parseReplicas, parseTemplate } from './options.js';
import { LocalPod, type PodDeps } from './pod.js';
import { makePodName } from './pod-name.js';
import { planReconcile } from './reconcile.js';
import type { LocalRuntime, LocalRuntimeOptions, PodInfo, PodSetEvent, RevisionTemplate } from './types.js';

const MAX_ADDRESS_ATTEMPTS = 32;
// Crash backoff for pods that die before they were ever ready (like CrashLoopBackOff, faster).
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;

interface RevisionState {
  template: RevisionTemplate;
  replicas: number;
  pods: Map<string, LocalPod>;
  backoffMs: number;
  backoffTimer: NodeJS.Timeout | undefined;
}

const keyOf = (namespace: string, revision: string): string => `${namespace}/${revision}`;

/** Runs pods as local processes; see LocalRuntime and the README. */
export function createLocalRuntime(opts: LocalRuntimeOptions): LocalRuntime {
  checkOptions(opts);
  return new LocalProcessRuntime(opts);
}

class LocalProcessRuntime implements LocalRuntime {
  readonly logDir: string;
  readonly #opts: LocalRuntimeOptions;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #pool: AddressPool;
  readonly #ownLogDir: boolean;
  readonly #revisions = new Map<string, RevisionState>();
  readonly #live = new Set<LocalPod>();
  readonly #listeners = new Set<(e: PodSetEvent) => void>();
  readonly #children = new ChildSet({ reaper: true });
  #closing: Promise<void> | undefined;

  constructor(opts: LocalRuntimeOptions) {
    this.#opts = opts;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#random = opts.random ?? Math.random;
    this.#pool = new AddressPool(opts.ipRange ?? '127.1.0.0/16');
    this.#ownLogDir = opts.logDir === undefined;
    this.logDir = opts.logDir ?? mkdtempSync(join(tmpdir(), 'kpa-runtime-'));
    mkdirSync(this.logDir, { recursive: true });
  }

  deploy(t: RevisionTemplate, replicas?: number): void {
    this.#assertOpen();
    parseTemplate(t);
    const wanted = replicas === undefined ? undefined : parseReplicas(replicas);
    const key = keyOf(t.namespace, t.revision);
    const state = this.#revisions.get(key);
    if (state === undefined) {
      const fresh: RevisionState = { template: t, replicas: wanted ?? 0, pods: new Map(), backoffMs: 0, backoffTimer: undefined };
      this.#revisions.set(key, fresh);
      this.#emit(fresh); // a known revision with no pods: routable to the activator's buffer
    } else {
      state.template = t; // pods created from now on use it; running pods keep theirs
      if (wanted !== undefined) state.replicas = wanted;
    }
    this.#logger.info({ namespace: t.namespace, revision: t.revision, replicas: wanted }, 'revision deployed');
    this.#reconcile(this.#state(t.namespace, t.revision));
  }

  scale(namespace: string, revision: string, replicas: number): void {
    this.#assertOpen();
    const state = this.#state(namespace, revision);
    const wanted = parseReplicas(replicas);
    if (state.replicas !== wanted) this.#logger.info({ namespace, revision, from: state.replicas, to: wanted }, 'scale');
    state.replicas = wanted;
    this.#reconcile(state);
  }

  revisions(): RevisionTemplate[] {
    return [...this.#revisions.values()].map((s) => structuredClone(s.template));
  }

  replicas(namespace: string, revision: string): number {
    return this.#revisions.get(keyOf(namespace, revision))?.replicas ?? 0;
  }

  pods(namespace: string, revision: string): PodInfo[] {
    const state = this.#revisions.get(keyOf(namespace, revision));
    return state === undefined ? [] : [...state.pods.values()].map((p) => p.info());
  }

  readyCount(namespace: string, revision: string): number {
    const state = this.#revisions.get(keyOf(namespace, revision));
    return state === undefined ? 0 : [...state.pods.values()].filter((p) => p.ready).length;
  }

  watch(listener: (e: PodSetEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  killPod(name: string, signal: NodeJS.Signals = 'SIGKILL', container?: 'app' | 'queue-proxy'): void {
    for (const state of this.#revisions.values()) {
      const pod = state.pods.get(name);
      if (pod === undefined) continue;
      this.#logger.info({ pod: name, signal, container }, 'killPod');
      pod.kill(signal, container);
      return;
    }
    throw new RuntimeError('RUNTIME_POD_NOT_FOUND', `pod ${JSON.stringify(name)} not found`);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    for (const state of this.#revisions.values()) clearTimeout(state.backoffTimer);
    await Promise.all([...this.#live].map((p) => p.terminate()));
    await this.#children.waitAll();
    this.#children.dispose();
    if (this.#ownLogDir) rmSync(this.logDir, { recursive: true, force: true });
    this.#logger.info('local runtime closed');
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new RuntimeError('RUNTIME_CLOSED', 'the local runtime is closed');
  }

  #state(namespace: string, revision: string): RevisionState {
    const state = this.#revisions.get(keyOf(namespace, revision));
    if (state === undefined) throw new RuntimeError('RUNTIME_UNKNOWN_REVISION', `revision ${namespace}/${revision} is not deployed`);
    return state;
  }

  #reconcile(state: RevisionState): void {
    if (this.#closing !== undefined) return;
    const plan = planReconcile(state.replicas, [...state.pods.values()].map((p) => p.info()));
    for (const name of plan.terminate) void state.pods.get(name)?.terminate();
    if (plan.create > 0 && state.backoffTimer === undefined) {
      for (let i = 0; i < plan.create; i += 1) this.#createPod(state);
    }
  }

  #createPod(state: RevisionState): void {
    const pod = new LocalPod(this.#podDeps(state));
    state.pods.set(pod.name, pod);
    this.#live.add(pod);
    void pod.done.then(() => {
      this.#live.delete(pod);
      if (state.pods.get(pod.name) === pod) {
        state.pods.delete(pod.name);
        this.#emit(state);
      }
    });
    this.#emit(state);
    pod.start();
  }

  #podDeps(state: RevisionState): PodDeps {
    const o = this.#opts;
    return {
      name: this.#uniqueName(state.template.revision),
      template: state.template,
      clock: o.clock ?? { nowMs: () => Date.now() },
      logger: this.#logger,
      queueProxy: o.queueProxy,
      queueProxyExtraEnv: o.redisUrl === undefined ? {} : { REDIS_URL: o.redisUrl },
      queueServingPort: o.queueServingPort ?? 8012,
      metricsPort: o.metricsPort ?? 9091,
      probe: { initialIntervalMs: o.initialProbeIntervalMs ?? 50, intervalMs: o.probeIntervalMs ?? 1000, timeoutMs: o.probeTimeoutMs ?? 1000, failureThreshold: o.probeFailureThreshold ?? 3 },
      terminationGraceMs: o.terminationGraceMs ?? 30_000,
      logDir: this.logDir,
      children: this.#children,
      acquireAddress: (ports) => this.#acquireAddress(ports),
      releaseAddress: (ip) => this.#pool.release(ip),
      onChange: (pod) => this.#onPodChange(state, pod),
      onFailed: (pod, everReady) => this.#onPodFailed(state, pod, everReady),
    };
  }

  #uniqueName(revision: string): string {
    const taken = new Set([...this.#live].map((p) => p.name));
    for (;;) {
      const name = makePodName(revision, this.#random);
      if (!taken.has(name)) return name;
    }
  }

  async #acquireAddress(ports: number[]): Promise<string> {
    for (let attempt = 0; attempt < MAX_ADDRESS_ATTEMPTS; attempt += 1) {
      const ip = this.#pool.allocate();
      if (ip === undefined) break;
      const busy = await checkAddressFree(ip, ports);
      if (busy === undefined) return ip;
      this.#pool.release(ip); // the cursor has moved on: the next attempt gets the next address
      this.#logger.warn({ ip, ports, code: busy }, 'address not usable, trying the next one');
    }
    throw new RuntimeError('RUNTIME_NO_ADDRESS', `no usable address in ${this.#opts.ipRange ?? '127.1.0.0/16'} after ${MAX_ADDRESS_ATTEMPTS} attempts (ports ${ports.join(', ')})`);
  }

  #onPodChange(state: RevisionState, pod: LocalPod): void {
    if (pod.ready) state.backoffMs = 0;
    if (state.pods.get(pod.name) === pod) this.#emit(state);
  }

  #onPodFailed(state: RevisionState, pod: LocalPod, everReady: boolean): void {
    if (state.pods.get(pod.name) === pod) state.pods.delete(pod.name);
    this.#emit(state);
    if (!everReady && this.#closing === undefined) this.#backOff(state);
    this.#reconcile(state);
  }

  #backOff(state: RevisionState): void {
    state.backoffMs = state.backoffMs === 0 ? BACKOFF_FIRST_MS : Math.min(BACKOFF_MAX_MS, state.backoffMs * 2);
    clearTimeout(state.backoffTimer);
    this.#logger.warn({ revision: state.template.revision, backoffMs: state.backoffMs }, 'pod failed before it was ready: backing off');
    state.backoffTimer = setTimeout(() => {
      state.backoffTimer = undefined;
      this.#reconcile(state);
    }, state.backoffMs);
  }

  #emit(state: RevisionState): void {
    const t = state.template;
    const event: PodSetEvent = { namespace: t.namespace, revision: t.revision, pods: [...state.pods.values()].map((p) => p.info()) };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err }, 'pod-set listener threw');
      }
    }
  }
}

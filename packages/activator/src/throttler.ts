import type { CapacityPolicy } from './capacity.js';
import type { Clock, TimerHandle } from './clock.js';
import { ActivatorError } from './errors.js';
import { originOf } from './forward.js';
import { Fifo, type FifoNode } from './fifo.js';
import { pickLeastLoaded, type PodLoad } from './pick.js';
import type { Endpoint, RevisionInfo } from './topology.js';

export type Mode = 'proxy' | 'serve';

/** A routable (or draining) pod of a revision, with this activator's in-flight count on it. */
export interface PodState extends PodLoad {
  /** `ip:port` */
  readonly dest: string;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** `http://ip:port`: the key of the connection pool to this pod */
  readonly origin: string;
  /** ready and known: may receive new requests */
  routable: boolean;
}

/** A slot on one pod; release it exactly once when the pod is done with the request. */
export interface Lease {
  readonly pod: PodState;
  /** the mode the slot was granted in */
  readonly mode: Mode;
  release(): void;
}

export interface AcquireOptions {
  /** Pod dests a retry must avoid. */
  exclude?: ReadonlySet<string> | undefined;
  queueTimeoutMs: number;
  /** Aborting removes the waiter (the client went away). */
  signal?: AbortSignal;
}

export interface ThrottlerOptions {
  clock: Clock;
  queueDepth: number;
  policy: CapacityPolicy;
  /** This activator's index among the revision's activators (-1 = unknown: all pods). */
  activatorIndex: number;
  /** Activators serving the revision until a decision says otherwise. */
  activators: number;
}

interface Waiter {
  exclude: ReadonlySet<string> | undefined;
  resolve(l: Lease): void;
  reject(e: Error): void;
  timer: TimerHandle | undefined;
  cleanup(): void;
}

/**
 * Per-revision throttler (Knative's revisionThrottler): per-pod breakers of capacity cc over this
 * activator's assigned pods, a bounded FIFO for requests that find no free pod (incl. cold start),
 * least-in-flight picking. Serve mode forwards at once to any ready pod, unthrottled.
 */
export class RevisionThrottler {
  #info: RevisionInfo;
  readonly #opts: ThrottlerOptions;
  readonly #pods = new Map<string, PodState>();
  /** routable pods, sorted by dest */
  #routable: PodState[] = [];
  /** this activator's share of #routable (Proxy mode) */
  #assigned: PodState[] = [];
  #mode: Mode = 'proxy';
  #activators: number;
  #index: number;
  #rr = 0;
  #closed: ActivatorError | undefined;
  readonly #queue = new Fifo<Waiter>();

  constructor(info: RevisionInfo, opts: ThrottlerOptions) {
    this.#info = { ...info };
    this.#opts = opts;
    this.#activators = Math.max(1, opts.activators);
    this.#index = opts.activatorIndex;
  }

  get info(): RevisionInfo {
    return this.#info;
  }
  get mode(): Mode {
    return this.#mode;
  }
  get readyCount(): number {
    return this.#routable.length;
  }
  get queued(): number {
    return this.#queue.size;
  }
  get inFlight(): number {
    let n = 0;
    for (const p of this.#pods.values()) n += p.inFlight;
    return n;
  }
  /** Pods this activator routes to in Proxy mode. */
  get assigned(): readonly PodState[] {
    return this.#assigned;
  }
  /** This activator's revision breaker capacity in Proxy mode (kpa.md f), via @kpa-ts/scaling. */
  get capacity(): number {
    return this.#opts.policy.breakerCapacity(this.#info.containerConcurrency, this.#assigned.length, this.#routable.length, this.#activators);
  }

  /** Serve only when a decision says so AND a pod is ready; at zero always Proxy. */
  effectiveMode(): Mode {
    return this.#mode === 'serve' && this.#routable.length > 0 ? 'serve' : 'proxy';
  }

  updateInfo(info: RevisionInfo): void {
    this.#info = { ...info };
    const cap = this.#opts.policy.podCapacity(info.containerConcurrency);
    for (const p of this.#pods.values()) p.capacity = cap;
    this.#reassign();
    this.#dispatch();
  }

  setMode(mode: Mode): void {
    this.#mode = mode;
    this.#dispatch();
  }

  /** This activator's place among the revision's activators (from config and decisions). */
  setSubset(index: number, activators: number): void {
    const a = Math.max(1, activators);
    if (a === this.#activators && index === this.#index) return;
    this.#activators = a;
    this.#index = index;
    this.#reassign();
    this.#dispatch();
  }

  /** The complete endpoint list; only ready ones become routable. Pods keep their in-flight count. */
  setEndpoints(eps: readonly Endpoint[]): void {
    const ready = new Map<string, Endpoint>();
    for (const e of eps) if (e.ready) ready.set(`${e.ip}:${e.port}`, e);
    for (const [dest, p] of this.#pods) {
      if (ready.has(dest)) continue;
      p.routable = false;
      if (p.inFlight === 0) this.#pods.delete(dest);
    }
    for (const [dest, e] of ready) {
      const p = this.#pods.get(dest);
      if (p && p.name === e.pod) {
        p.routable = true;
        continue;
      }
      // A new pod (possibly reusing an old pod's address): its own count; old leases release the old state.
      const capacity = this.#opts.policy.podCapacity(this.#info.containerConcurrency);
      this.#pods.set(dest, { dest, name: e.pod, ip: e.ip, port: e.port, origin: originOf(e), inFlight: 0, capacity, routable: true });
    }
    this.#reassign();
    this.#dispatch();
  }

  #reassign(): void {
    const routable = [...this.#pods.values()].filter((p) => p.routable);
    const byDest = new Map(routable.map((p) => [p.dest, p]));
    this.#routable = [...byDest.keys()].sort().map((d) => byDest.get(d) as PodState);
    const cc = this.#info.containerConcurrency;
    const dests = this.#opts.policy.assignedDests({ dests: [...byDest.keys()], containerConcurrency: cc, index: this.#index, activators: this.#activators });
    this.#assigned = dests.map((d) => byDest.get(d)).filter((p): p is PodState => p !== undefined);
  }

  /** A slot now, or undefined (no free pod, or others are already waiting: FIFO). */
  tryAcquire(exclude?: ReadonlySet<string>): Lease | undefined {
    if (this.#closed) return undefined;
    if (this.effectiveMode() === 'proxy' && this.#queue.size > 0) return undefined;
    return this.#pick(exclude);
  }

  #pick(exclude: ReadonlySet<string> | undefined): Lease | undefined {
    const mode = this.effectiveMode();
    const pods = mode === 'serve' ? this.#routable : this.#assigned;
    if (pods.length === 0) return undefined;
    const start = this.#rr++ % pods.length;
    const allowed = exclude && exclude.size > 0 ? (i: number): boolean => !exclude.has((pods[i] as PodState).dest) : undefined;
    const i = pickLeastLoaded(pods, start, { ignoreCapacity: mode === 'serve', ...(allowed ? { allowed } : {}) });
    const pod = pods[i];
    if (pod === undefined) return undefined;
    pod.inFlight += 1;
    return this.#lease(pod, mode);
  }

  #lease(pod: PodState, mode: Mode): Lease {
    let released = false;
    return {
      pod,
      mode,
      release: () => {
        if (released) return;
        released = true;
        pod.inFlight -= 1;
        if (!pod.routable && pod.inFlight === 0 && this.#pods.get(pod.dest) === pod) this.#pods.delete(pod.dest);
        if (this.#queue.size > 0) this.#dispatch();
      },
    };
  }

  /** A slot, waiting in the FIFO for one when needed; rejects with a typed ActivatorError. */
  acquire(opts: AcquireOptions): Promise<Lease> {
    const now = this.tryAcquire(opts.exclude);
    if (now) return Promise.resolve(now);
    const refusal = this.#refusal(opts.exclude);
    if (refusal) return Promise.reject(refusal);
    return new Promise<Lease>((resolve, reject) => this.#enqueue(opts, resolve, reject));
  }

  #refusal(exclude: ReadonlySet<string> | undefined): ActivatorError | undefined {
    if (this.#closed) return this.#closed;
    const { namespace, revision } = this.#info;
    if (this.#queue.size >= this.#opts.queueDepth) {
      return new ActivatorError('ACT_QUEUE_FULL', `revision ${namespace}/${revision}: queue full (${this.#opts.queueDepth} requests waiting)`);
    }
    const candidates = this.effectiveMode() === 'serve' ? this.#routable : this.#assigned;
    if (exclude && candidates.length > 0 && candidates.every((p) => exclude.has(p.dest))) {
      return new ActivatorError('ACT_NO_POD', `revision ${namespace}/${revision}: every ready pod already failed this request`);
    }
    return undefined;
  }

  #enqueue(opts: AcquireOptions, resolve: (l: Lease) => void, reject: (e: Error) => void): void {
    const { clock } = this.#opts;
    const onAbort = (): void => {
      waiter.cleanup();
      reject(new ActivatorError('ACT_CANCELLED', 'the client went away while the request was queued'));
    };
    const waiter: Waiter = {
      exclude: opts.exclude,
      resolve,
      reject,
      timer: undefined,
      cleanup: () => {
        this.#queue.remove(node);
        if (waiter.timer !== undefined) clock.clearTimeout(waiter.timer);
        opts.signal?.removeEventListener('abort', onAbort);
      },
    };
    const node: FifoNode<Waiter> = this.#queue.push(waiter);
    waiter.timer = clock.setTimeout(() => {
      waiter.cleanup();
      reject(this.#timeoutError(opts.queueTimeoutMs));
    }, opts.queueTimeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
  }

  #timeoutError(ms: number): ActivatorError {
    const { namespace, revision, containerConcurrency } = this.#info;
    return new ActivatorError(
      'ACT_QUEUE_TIMEOUT',
      `revision ${namespace}/${revision} had no capacity within ${ms} ms ` +
        `(${this.#routable.length} ready pods, containerConcurrency ${containerConcurrency}, ${this.#queue.size} queued)`,
    );
  }

  /** Hand free slots to waiters in FIFO order; a waiter that must avoid some pods may be passed over. */
  #dispatch(): void {
    let node = this.#queue.first();
    while (node) {
      const next = node.next;
      const w = node.value;
      const lease = this.#pick(w.exclude);
      if (lease) {
        w.cleanup();
        w.resolve(lease);
      } else if (!w.exclude || w.exclude.size === 0) {
        return;
      }
      node = next;
    }
  }

  /** The revision is gone: every waiter fails; in-flight requests finish on their pods. */
  close(err: ActivatorError): void {
    this.#closed = err;
    for (const w of this.#queue.drainAll()) {
      w.cleanup();
      w.reject(err);
    }
  }
}

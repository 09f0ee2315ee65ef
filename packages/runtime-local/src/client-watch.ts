// A list+watch of the runtime API, like a Kubernetes informer: every connection starts with the full
// state, which replaces the cache (revisions that vanished meanwhile are reported deleted), then
// applies changes. A lost connection is retried with capped, jittered exponential backoff.
import { request, type ClientRequest } from 'node:http';
import { pino, type Logger } from 'pino';
import type { HttpTarget } from './client-http.js';
import { watchEventSchema, type RevisionResource, type WatchEvent } from './server-api.js';
import type { PodInfo } from './types.js';

export interface WatchHandler {
  revisionUpserted?(r: RevisionResource): void;
  revisionDeleted?(namespace: string, revision: string): void;
  /** The full pod list of a revision after a change. */
  podsChanged?(namespace: string, revision: string, pods: PodInfo[]): void;
  /** A (re)connection has delivered the full state. */
  synced?(): void;
  /** The watch connection ended; a reconnect is scheduled. */
  disconnected?(reason: string): void;
}

export interface WatchOptions {
  /** First reconnect delay; doubles up to maxBackoffMs. Default 100. */
  minBackoffMs?: number;
  /** Default 5000. */
  maxBackoffMs?: number;
  /** Uniform in [0, 1): jitter. Default Math.random. */
  random?: () => number;
  /** No line (heartbeats included) for this long: the connection is dead. Default 30 000. */
  idleTimeoutMs?: number;
  logger?: Logger;
}

const keyOf = (namespace: string, revision: string): string => `${namespace}/${revision}`;

/** Delay before reconnect attempt `attempt` (0-based): min·2^attempt capped at max, times [0.5, 1). */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random() / 2));
}

export class RuntimeWatcher {
  readonly #t: HttpTarget;
  readonly #h: WatchHandler;
  readonly #o: Required<Omit<WatchOptions, 'logger'>>;
  readonly #log: Logger;
  #revisions = new Map<string, RevisionResource>();
  #pods = new Map<string, PodInfo[]>();
  #pending: { revisions: Map<string, RevisionResource>; pods: Map<string, PodInfo[]> } | undefined;
  #req: ClientRequest | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  #attempt = 0;
  #synced = false;
  #stopped = true;
  #waiters: Array<() => void> = [];

  constructor(target: HttpTarget, handler: WatchHandler, opts: WatchOptions = {}) {
    this.#t = target;
    this.#h = handler;
    this.#o = { minBackoffMs: opts.minBackoffMs ?? 100, maxBackoffMs: opts.maxBackoffMs ?? 5000, random: opts.random ?? Math.random, idleTimeoutMs: opts.idleTimeoutMs ?? 30_000 };
    this.#log = opts.logger ?? pino({ level: 'silent' });
  }

  /** Connected and holding the full current state. */
  get synced(): boolean {
    return this.#synced;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  /** Resolves true once synced, false after `timeoutMs`. */
  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  revision(namespace: string, revision: string): RevisionResource | undefined {
    return this.#revisions.get(keyOf(namespace, revision));
  }

  revisions(): RevisionResource[] {
    return [...this.#revisions.values()];
  }

  pods(namespace: string, revision: string): PodInfo[] | undefined {
    return this.#pods.get(keyOf(namespace, revision));
  }

  /** Records a change this client made itself (e.g. a scale) before the watch echoes it. */
  noteReplicas(namespace: string, revision: string, replicas: number): void {
    const r = this.#revisions.get(keyOf(namespace, revision));
    if (r !== undefined) this.#revisions.set(keyOf(namespace, revision), { ...r, replicas });
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#synced = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#idle);
    this.#req?.destroy();
    this.#req = undefined;
    return Promise.resolve();
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#pending = { revisions: new Map(), pods: new Map() };
    const host = this.#t.base.hostname.replace(/^\[|\]$/g, '');
    const req = request({ host, port: this.#t.base.port, path: '/v1/watch', method: 'GET', agent: false, headers: { accept: 'application/x-ndjson' } });
    this.#req = req;
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      this.#onEnd(req, reason);
    };
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        end(`watch answered ${res.statusCode ?? 0}`);
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      this.#touch(req);
      res.on('data', (d: string) => {
        this.#touch(req);
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          this.#line(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => end('watch stream ended'));
      res.on('error', (err) => end(err.message));
    });
    req.on('error', (err) => end(err.message));
    req.end();
  }

  #touch(req: ClientRequest): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => req.destroy(new Error(`no watch line for ${this.#o.idleTimeoutMs} ms`)), this.#o.idleTimeoutMs);
  }

  #onEnd(req: ClientRequest, reason: string): void {
    if (this.#req !== req) return;
    clearTimeout(this.#idle);
    this.#req = undefined;
    const wasSynced = this.#synced;
    this.#synced = false;
    if (this.#stopped) return;
    const delay = backoffDelayMs(this.#attempt, this.#o.minBackoffMs, this.#o.maxBackoffMs, this.#o.random);
    this.#attempt += 1;
    this.#log[wasSynced ? 'warn' : 'debug']({ reason, retryInMs: delay }, 'runtime watch lost; reconnecting');
    this.#call(() => this.#h.disconnected?.(reason));
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    let parsed: ReturnType<typeof watchEventSchema.safeParse>;
    try {
      parsed = watchEventSchema.safeParse(JSON.parse(line));
    } catch {
      this.#log.warn({ line: line.slice(0, 200) }, 'watch line is not JSON; ignored');
      return;
    }
    if (!parsed.success) {
      this.#log.warn({ line: line.slice(0, 200), issue: parsed.error.issues[0]?.message }, 'unknown watch event; ignored');
      return;
    }
    const event = parsed.data as WatchEvent;
    if (this.#pending !== undefined) this.#collect(event);
    else this.#apply(event);
  }

  /** Before `synced`: the snapshot of this connection. */
  #collect(e: WatchEvent): void {
    const p = this.#pending;
    if (p === undefined) return;
    if (e.type === 'revision') p.revisions.set(keyOf(e.revision.namespace, e.revision.revision), e.revision);
    else if (e.type === 'pods') p.pods.set(keyOf(e.namespace, e.revision), e.pods);
    else if (e.type === 'revision-deleted') {
      p.revisions.delete(keyOf(e.namespace, e.revision));
      p.pods.delete(keyOf(e.namespace, e.revision));
    } else if (e.type === 'synced') this.#replaceState(p);
  }

  #replaceState(p: { revisions: Map<string, RevisionResource>; pods: Map<string, PodInfo[]> }): void {
    this.#pending = undefined;
    const gone = [...this.#revisions.values()].filter((r) => !p.revisions.has(keyOf(r.namespace, r.revision)));
    this.#revisions = p.revisions;
    this.#pods = p.pods;
    this.#synced = true;
    this.#attempt = 0;
    for (const r of gone) this.#call(() => this.#h.revisionDeleted?.(r.namespace, r.revision));
    for (const r of p.revisions.values()) {
      this.#call(() => this.#h.revisionUpserted?.(r));
      const pods = p.pods.get(keyOf(r.namespace, r.revision)) ?? [];
      this.#call(() => this.#h.podsChanged?.(r.namespace, r.revision, pods));
    }
    this.#call(() => this.#h.synced?.());
    for (const w of this.#waiters.splice(0)) w();
  }

  #apply(e: WatchEvent): void {
    if (e.type === 'revision') {
      this.#revisions.set(keyOf(e.revision.namespace, e.revision.revision), e.revision);
      this.#call(() => this.#h.revisionUpserted?.(e.revision));
    } else if (e.type === 'revision-deleted') {
      this.#revisions.delete(keyOf(e.namespace, e.revision));
      this.#pods.delete(keyOf(e.namespace, e.revision));
      this.#call(() => this.#h.revisionDeleted?.(e.namespace, e.revision));
    } else if (e.type === 'pods') {
      if (!this.#revisions.has(keyOf(e.namespace, e.revision))) return;
      this.#pods.set(keyOf(e.namespace, e.revision), e.pods);
      this.#call(() => this.#h.podsChanged?.(e.namespace, e.revision, e.pods));
    }
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err }, 'watch handler threw');
    }
  }
}

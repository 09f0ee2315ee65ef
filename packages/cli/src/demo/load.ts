// A siege-like closed-loop load: N clients, each sending one request after another through the
// activator (keep-alive, one connection per client) until the duration is over. Bounded: it stops
// at the deadline or on abort, and every request has a timeout.
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** The gateway, e.g. http://127.0.0.1:8012 (only 127.0.0.0/8). */
  url: string;
  /** Host header naming the revision. */
  host: string;
  concurrency: number;
  durationMs: number;
  path?: string;
  /** Per request. Default 120 000 (the activator's queue timeout). */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface LoadTotals {
  /** Successful transactions (2xx/3xx). */
  ok: number;
  /** Failed ones: status >= 400 or no response. */
  failed: number;
  /** Response body bytes. */
  bytes: number;
  /** From the first request to the last response. */
  elapsedMs: number;
  /** Latencies of the successful transactions, ms, in completion order. */
  latenciesMs: number[];
  /** From the start to the first successful response; undefined when none. */
  firstResponseMs: number | undefined;
  /** Failure reasons: `status 503`, `ECONNRESET`, ... */
  failures: Record<string, number>;
}

export interface LoadWindow {
  ok: number;
  failed: number;
  /** Clients with a request in flight now. */
  inFlight: number;
}

const IDLE_AFTER_ERROR_MS = 50;

/** Runs the load; `window()` reads and resets the per-period counters (for a live view). */
export class LoadRun {
  readonly #o: Required<Omit<LoadOptions, 'signal'>> & { signal: AbortSignal | undefined };
  readonly #agent: Agent;
  readonly #target: URL;
  #t: LoadTotals = { ok: 0, failed: 0, bytes: 0, elapsedMs: 0, latenciesMs: [], firstResponseMs: undefined, failures: {} };
  #win = { ok: 0, failed: 0 };
  #inFlight = 0;
  #startMs = 0;
  #deadlineMs = 0;

  constructor(o: LoadOptions) {
    this.#o = { path: '/', requestTimeoutMs: 120_000, ...o, signal: o.signal };
    this.#target = new URL(o.url);
    if (!this.#target.hostname.startsWith('127.')) throw new Error(`load target ${o.url}: only 127.0.0.0/8`);
    this.#agent = new Agent({ keepAlive: true, maxSockets: o.concurrency, maxFreeSockets: o.concurrency });
  }

  /** Milliseconds since the load started (0 before). */
  get sinceStartMs(): number {
    return this.#startMs === 0 ? 0 : Date.now() - this.#startMs;
  }

  window(): LoadWindow {
    const w = { ...this.#win, inFlight: this.#inFlight };
    this.#win = { ok: 0, failed: 0 };
    return w;
  }

  get totals(): LoadTotals {
    return this.#t;
  }

  async run(): Promise<LoadTotals> {
    this.#startMs = Date.now();
    this.#deadlineMs = this.#startMs + this.#o.durationMs;
    this.#o.signal?.addEventListener('abort', () => this.#agent.destroy(), { once: true });
    await Promise.all(Array.from({ length: this.#o.concurrency }, () => this.#client()));
    this.#t.elapsedMs = Date.now() - this.#startMs;
    this.#agent.destroy();
    return this.#t;
  }

  #running(): boolean {
    return Date.now() < this.#deadlineMs && !this.#o.signal?.aborted;
  }

  async #client(): Promise<void> {
    while (this.#running()) {
      const ok = await this.#once();
      if (!ok && this.#running()) await new Promise((r) => setTimeout(r, IDLE_AFTER_ERROR_MS));
    }
  }

  #fail(reason: string): false {
    this.#t.failed += 1;
    this.#win.failed += 1;
    this.#t.failures[reason] = (this.#t.failures[reason] ?? 0) + 1;
    return false;
  }

  #once(): Promise<boolean> {
    const sentMs = Date.now();
    this.#inFlight += 1;
    return new Promise<boolean>((resolve) => {
      const req = request(
        { host: this.#target.hostname, port: this.#target.port, path: this.#o.path, agent: this.#agent, headers: { host: this.#o.host, 'user-agent': 'kpa-demo' } },
        (res) => {
          let bytes = 0;
          res.on('data', (d: Buffer) => (bytes += d.length));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 400) return resolve(this.#fail(`status ${status}`));
            const doneMs = Date.now();
            this.#t.ok += 1;
            this.#win.ok += 1;
            this.#t.bytes += bytes;
            this.#t.latenciesMs.push(doneMs - sentMs);
            this.#t.firstResponseMs ??= doneMs - this.#startMs;
            resolve(true);
          });
          res.on('error', (err: NodeJS.ErrnoException) => resolve(this.#fail(err.code ?? err.message)));
        },
      );
      req.setTimeout(this.#o.requestTimeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(this.#fail(err.code ?? err.message)));
      req.end();
    }).finally(() => (this.#inFlight -= 1));
  }
}

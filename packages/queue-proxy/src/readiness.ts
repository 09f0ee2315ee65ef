import type { Logger } from 'pino';

export interface ReadinessOptions {
  /** One probe of the user container; must not reject (see probeOnce). */
  probe: () => Promise<boolean>;
  periodMs: number;
  successThreshold: number;
  failureThreshold: number;
  /** Until the first success the container is probed this often (Knative probes every 25 ms at start). */
  aggressiveIntervalMs?: number;
  logger?: Logger | undefined;
  onChange?: (ready: boolean) => void;
}

/**
 * Whether this pod should get traffic: the user container passed its probe (successThreshold
 * successes in a row; failureThreshold failures in a row take it back out) and we are not draining.
 * Probes every `aggressiveIntervalMs` until the first success, then every `periodMs`.
 */
export class Readiness {
  readonly #opts: ReadinessOptions;
  #probeReady = false;
  #everReady = false;
  #draining = false;
  #successes = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(opts: ReadinessOptions) {
    this.#opts = opts;
  }

  get ready(): boolean {
    return this.#probeReady && !this.#draining;
  }

  get draining(): boolean {
    return this.#draining;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** SIGTERM: unready at once and for good; probing stops. */
  markDraining(): void {
    const was = this.ready;
    this.#draining = true;
    this.stop();
    if (was) this.#opts.onChange?.(false);
  }

  /** Feeds one probe result through the thresholds (exposed for tests). */
  record(ok: boolean): void {
    const was = this.ready;
    if (ok) {
      this.#failures = 0;
      this.#successes += 1;
      if (!this.#probeReady && this.#successes >= this.#opts.successThreshold) {
        this.#probeReady = true;
        this.#everReady = true;
      }
    } else {
      this.#successes = 0;
      this.#failures += 1;
      if (this.#probeReady && this.#failures >= this.#opts.failureThreshold) this.#probeReady = false;
    }
    if (was !== this.ready) {
      this.#opts.logger?.info({ ready: this.ready }, this.ready ? 'user container ready' : 'user container not ready');
      this.#opts.onChange?.(this.ready);
    }
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    const ok = await this.#opts.probe();
    if (!this.#running) return;
    this.record(ok);
    const delay = this.#everReady ? this.#opts.periodMs : (this.#opts.aggressiveIntervalMs ?? 25);
    this.#timer = setTimeout(() => void this.#loop(), delay);
    this.#timer.unref();
  }
}

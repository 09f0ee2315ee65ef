/** What one reporting period saw (Knative's network.RequestStatsReport). */
export interface RequestStatsReport {
  /** Time-weighted average of requests in flight over the period: ∫ in-flight dt / period. */
  averageConcurrency: number;
  /** The same for requests that came through the activator. */
  averageProxiedConcurrency: number;
  /** Requests that arrived in the period. */
  requestCount: number;
  proxiedRequestCount: number;
  /** Length of the period in ms (the divisor of the averages). */
  periodMs: number;
}

/**
 * Counts requests in flight and integrates them over time, like Knative's queue `RequestStats`.
 * Pure: every call takes the (monotonic) time in ms; the caller owns the clock.
 *
 * E.g. a period of 1000 ms in which one request is in flight from 0 to 500 ms and two from 500 to
 * 1000 ms: ∫ = 1 × 500 + 2 × 500 = 1500 request·ms → average concurrency 1.5.
 */
export class RequestStats {
  #concurrency = 0;
  #proxiedConcurrency = 0;
  #requestCount = 0;
  #proxiedCount = 0;
  #weighted = 0;
  #proxiedWeighted = 0;
  #lastChangeMs: number;
  #periodStartMs: number;

  constructor(nowMs: number) {
    this.#lastChangeMs = nowMs;
    this.#periodStartMs = nowMs;
  }

  /** Requests in flight right now (queued in the breaker included, like Knative). */
  get concurrency(): number {
    return this.#concurrency;
  }

  get proxiedConcurrency(): number {
    return this.#proxiedConcurrency;
  }

  requestIn(proxied: boolean, nowMs: number): void {
    this.#advance(nowMs);
    this.#concurrency += 1;
    this.#requestCount += 1;
    if (proxied) {
      this.#proxiedConcurrency += 1;
      this.#proxiedCount += 1;
    }
  }

  requestOut(proxied: boolean, nowMs: number): void {
    this.#advance(nowMs);
    this.#concurrency -= 1;
    if (proxied) this.#proxiedConcurrency -= 1;
  }

  /** Closes the current period at `nowMs` and starts the next one. */
  report(nowMs: number): RequestStatsReport {
    this.#advance(nowMs);
    const periodMs = this.#lastChangeMs - this.#periodStartMs;
    const report: RequestStatsReport = {
      // A zero-length period (two reports at the same instant) reports what is in flight now.
      averageConcurrency: periodMs > 0 ? this.#weighted / periodMs : this.#concurrency,
      averageProxiedConcurrency: periodMs > 0 ? this.#proxiedWeighted / periodMs : this.#proxiedConcurrency,
      requestCount: this.#requestCount,
      proxiedRequestCount: this.#proxiedCount,
      periodMs,
    };
    this.#weighted = 0;
    this.#proxiedWeighted = 0;
    this.#requestCount = 0;
    this.#proxiedCount = 0;
    this.#periodStartMs = this.#lastChangeMs;
    return report;
  }

  #advance(nowMs: number): void {
    const dt = nowMs - this.#lastChangeMs;
    // A clock that steps back (it should not: pass a monotonic one) adds nothing.
    if (dt <= 0) return;
    this.#weighted += this.#concurrency * dt;
    this.#proxiedWeighted += this.#proxiedConcurrency * dt;
    this.#lastChangeMs = nowMs;
  }
}

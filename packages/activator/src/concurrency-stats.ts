/**
 * Pure accounting of the activator's own load per revision (kpa.md a.2), times passed in:
 * time-weighted average concurrency (queued + in-flight requests) and request count per period.
 */
export interface PeriodReport {
  /** time-weighted average of requests in the activator over the period */
  conc: number;
  /** requests that arrived in the period */
  reqs: number;
}

export class ConcurrencyAccumulator {
  #current = 0;
  #areaMs = 0;
  #lastMs: number;
  #periodStartMs: number;
  #reqs = 0;
  /** The first-request stat (conc 1, reqs 1) already sent, to subtract from the next report. */
  #owedFirst = false;

  constructor(nowMs: number) {
    this.#lastMs = nowMs;
    this.#periodStartMs = nowMs;
  }

  get current(): number {
    return this.#current;
  }

  #advance(nowMs: number): void {
    const dt = Math.max(0, nowMs - this.#lastMs);
    this.#areaMs += this.#current * dt;
    this.#lastMs = Math.max(this.#lastMs, nowMs);
  }

  begin(nowMs: number): void {
    this.#advance(nowMs);
    this.#current += 1;
    this.#reqs += 1;
  }

  end(nowMs: number): void {
    this.#advance(nowMs);
    this.#current = Math.max(0, this.#current - 1);
  }

  /** Remember that an immediate (1, 1) stat went out; the next report subtracts it. */
  markFirstReported(): void {
    this.#owedFirst = true;
  }

  /** The average over [period start, now] and the count; starts a new period. */
  report(nowMs: number): PeriodReport {
    this.#advance(nowMs);
    const spanMs = this.#lastMs - this.#periodStartMs;
    let conc = spanMs > 0 ? this.#areaMs / spanMs : this.#current;
    let reqs = this.#reqs;
    if (this.#owedFirst) {
      // Knative subtracts the pushed first request from the next periodic report, floored at 0.
      conc = Math.max(0, conc - 1);
      reqs = Math.max(0, reqs - 1);
      this.#owedFirst = false;
    }
    this.#areaMs = 0;
    this.#reqs = 0;
    this.#periodStartMs = this.#lastMs;
    return { conc, reqs };
  }

  /** Nothing in flight, nothing arrived, nothing averaged: the entry can be forgotten. */
  isIdle(last: PeriodReport): boolean {
    return this.#current === 0 && last.conc === 0 && last.reqs === 0;
  }
}

export interface RevisionReport extends PeriodReport {
  key: string;
}

/** Accumulators per revision key; a revision seen for the first time is flagged so the caller can push at once. */
export class ActivatorLoad {
  readonly #byKey = new Map<string, ConcurrencyAccumulator>();

  /** Counts a request in; returns true when the revision had no entry (the very first request). */
  begin(key: string, nowMs: number): boolean {
    let acc = this.#byKey.get(key);
    const first = acc === undefined;
    if (acc === undefined) {
      acc = new ConcurrencyAccumulator(nowMs);
      this.#byKey.set(key, acc);
    }
    acc.begin(nowMs);
    return first;
  }

  end(key: string, nowMs: number): void {
    this.#byKey.get(key)?.end(nowMs);
  }

  markFirstReported(key: string): void {
    this.#byKey.get(key)?.markFirstReported();
  }

  current(key: string): number {
    return this.#byKey.get(key)?.current ?? 0;
  }

  /** One report per revision with an entry; entries idle for a whole period are dropped after reporting. */
  reportAll(nowMs: number): RevisionReport[] {
    const out: RevisionReport[] = [];
    for (const [key, acc] of this.#byKey) {
      const r = acc.report(nowMs);
      out.push({ key, ...r });
      if (acc.isIdle(r)) this.#byKey.delete(key);
    }
    return out;
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

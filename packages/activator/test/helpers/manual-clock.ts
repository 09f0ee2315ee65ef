import type { Clock, TimerHandle } from '../../src/clock.js';

interface Timer {
  at: number;
  fn: () => void;
  every: number | undefined;
  live: boolean;
}

/** A clock tests move by hand: timers fire in time order during advance(). */
export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { at: this.#now + ms, fn, every: undefined, live: true };
    this.#timers.push(t);
    return t as unknown as TimerHandle;
  }

  clearTimeout(h: TimerHandle): void {
    (h as unknown as Timer).live = false;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { at: this.#now + ms, fn, every: ms, live: true };
    this.#timers.push(t);
    return t as unknown as TimerHandle;
  }

  clearInterval(h: TimerHandle): void {
    this.clearTimeout(h);
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      const next = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#now = next.at;
      if (next.every === undefined) next.live = false;
      else next.at += next.every;
      next.fn();
    }
    this.#now = end;
  }
}

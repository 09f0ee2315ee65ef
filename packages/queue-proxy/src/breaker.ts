/**
 * The queue-proxy's breaker: at most `capacity` requests in flight to the user container, a FIFO
 * queue of at most `queueDepth` waiting behind them, and an immediate "overflow" beyond that.
 * Knative sizes the queue as 10 × containerConcurrency (so up to 11 × cc requests are held in all).
 * Callback-based (no promise per request) because it sits on the hot path.
 */
export type EnterResult =
  | { readonly kind: 'granted' }
  | { readonly kind: 'queued'; readonly cancel: () => void }
  | { readonly kind: 'overflow' };

interface Waiter {
  onGrant: () => void;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  done: boolean;
}

const GRANTED: EnterResult = { kind: 'granted' };
const OVERFLOW: EnterResult = { kind: 'overflow' };

/** Knative's queue depth per unit of containerConcurrency. */
export const QUEUE_DEPTH_PER_SLOT = 10;

export class Breaker {
  readonly capacity: number;
  readonly queueDepth: number;
  #inFlight = 0;
  #waiting = 0;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #rejections = 0;

  constructor(opts: { capacity: number; queueDepth?: number }) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) {
      throw new RangeError(`breaker capacity must be an integer ≥ 1, got ${opts.capacity}`);
    }
    this.capacity = opts.capacity;
    this.queueDepth = opts.queueDepth ?? QUEUE_DEPTH_PER_SLOT * opts.capacity;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get waiting(): number {
    return this.#waiting;
  }

  /** Requests turned away with overflow since start. */
  get rejections(): number {
    return this.#rejections;
  }

  /**
   * Takes a slot now ('granted': `onGrant` is NOT called), queues (`onGrant` runs when a slot is
   * handed over; `cancel()` leaves the queue, e.g. when the client went away), or 'overflow'.
   * Every grant must be matched by exactly one `leave()`.
   */
  enter(onGrant: () => void): EnterResult {
    if (this.#inFlight < this.capacity && this.#waiting === 0) {
      this.#inFlight += 1;
      return GRANTED;
    }
    if (this.#waiting >= this.queueDepth) {
      this.#rejections += 1;
      return OVERFLOW;
    }
    const w: Waiter = { onGrant, prev: this.#tail, next: undefined, done: false };
    if (this.#tail) this.#tail.next = w;
    else this.#head = w;
    this.#tail = w;
    this.#waiting += 1;
    return { kind: 'queued', cancel: () => this.#remove(w) };
  }

  /** Frees a slot and hands it to the oldest waiter, if any. */
  leave(): void {
    if (this.#inFlight <= 0) throw new Error('breaker: leave() without a matching grant');
    const w = this.#head;
    if (w === undefined) {
      this.#inFlight -= 1;
      return;
    }
    // The slot passes straight to the waiter: in-flight stays the same.
    this.#remove(w);
    w.onGrant();
  }

  #remove(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    if (w.prev) w.prev.next = w.next;
    else this.#head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = undefined;
    w.next = undefined;
    this.#waiting -= 1;
  }
}

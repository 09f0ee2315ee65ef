/**
 * Time as the queue-proxy sees it. `monotonicMs` drives the concurrency integral and uptimes (never
 * jumps back); `epochMs` stamps the stats (`ts`). Tests pass a manual clock.
 */
export interface Clock {
  monotonicMs(): number;
  epochMs(): number;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  epochMs: () => Date.now(),
};

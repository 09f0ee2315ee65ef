export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the error when the condition never held. */
  what?: string;
}

/**
 * Polls `cond` until it returns a truthy value (which is returned) or the timeout passes.
 * Tests wait on conditions, never for a fixed time.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: last error ${lastError.message}` : '';
      throw new Error(`waitFor: ${opts.what ?? 'condition'} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

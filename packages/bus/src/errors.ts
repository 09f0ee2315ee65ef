/** Stable codes for everything the bus throws; tests and callers match on `code`, never on text. */
export type BusErrorCode =
  | 'BUS_INVALID_OPTIONS' // an option failed validation (the message names it, its value, the range)
  | 'BUS_CLOSED' // the component was stopped or closed
  | 'BUS_REDIS' // a Redis command failed (the cause is attached)
  | 'BUS_NOT_READY' // Redis is not connected right now
  | 'BUS_TIMEOUT'; // an operation did not finish within its deadline

export class BusError extends Error {
  readonly code: BusErrorCode;

  constructor(code: BusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusError';
    this.code = code;
  }
}

/** Wraps anything thrown by ioredis into a `BusError` with context, keeping BusErrors as they are. */
export function toBusError(err: unknown, context: string): BusError {
  if (err instanceof BusError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new BusError('BUS_REDIS', `${context}: ${text}`, { cause: err });
}

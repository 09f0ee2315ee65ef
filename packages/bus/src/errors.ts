/**
 * Stable codes for what the bus throws; callers and tests match on `code`, never on text.
 * Runtime Redis failures are never thrown at callers: publishers drop and count, consumers and
 * leasers retry with backoff and log. Only misuse throws.
 */
export type BusErrorCode =
  | 'BUS_INVALID_OPTIONS' // an option failed validation (the message names it, its value, the range)
  | 'BUS_CLOSED'; // start() on a component that was stopped

export class BusError extends Error {
  readonly code: BusErrorCode;

  constructor(code: BusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusError';
    this.code = code;
  }
}

export type RuntimeApiErrorCode =
  | 'API_UNREACHABLE' // no answer: connection refused, reset, timeout
  | 'API_NOT_FOUND' // 404: unknown revision or pod
  | 'API_INVALID' // 400: the server rejected the request (the message names the field)
  | 'API_FAILED' // any other non-2xx answer
  | 'API_BAD_RESPONSE' // a 2xx answer that does not parse
  | 'API_CLOSED'; // the client was closed

/** Every error the runtime API client throws; match on `code`. `serverCode` is the server's own code. */
export class RuntimeApiError extends Error {
  override readonly name = 'RuntimeApiError';

  constructor(
    readonly code: RuntimeApiErrorCode,
    message: string,
    readonly details: { status?: number; serverCode?: string; field?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Stable codes for what the autoscaler throws; callers and tests match on `code`, never on text. */
export type AutoscalerErrorCode =
  | 'AS_INVALID_ENV' // an environment variable failed validation (the message names it)
  | 'AS_INVALID_REVISION' // the backend reported a revision that is not a ManagedRevision
  | 'AS_CLOSED' // the service was stopped
  | 'AS_HISTORY_UNAVAILABLE'; // the persisted latest decisions cannot be read yet (Redis not loaded)

export class AutoscalerError extends Error {
  readonly code: AutoscalerErrorCode;

  constructor(code: AutoscalerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AutoscalerError';
    this.code = code;
  }
}

/** The message of anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

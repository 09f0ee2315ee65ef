export type RuntimeErrorCode =
  | 'RUNTIME_INVALID_OPTIONS'
  | 'RUNTIME_INVALID_TEMPLATE'
  | 'RUNTIME_INVALID_REPLICAS'
  | 'RUNTIME_UNKNOWN_REVISION'
  | 'RUNTIME_POD_NOT_FOUND'
  | 'RUNTIME_NO_ADDRESS'
  | 'RUNTIME_CLOSED';

/** Every error the local runtime throws; match on `code`. */
export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

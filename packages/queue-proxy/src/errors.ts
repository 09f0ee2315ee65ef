/** Stable codes for the queue-proxy's typed errors; tests match on these, never on message text. */
export type QueueProxyErrorCode = 'QP_ENV_INVALID' | 'QP_UPSTREAM_UNAVAILABLE' | 'QP_UPSTREAM_TIMEOUT';

export class QueueProxyError extends Error {
  readonly code: QueueProxyErrorCode;

  constructor(code: QueueProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueProxyError';
    this.code = code;
  }
}

/** The environment did not parse: `variables` names every variable at fault. */
export class EnvError extends QueueProxyError {
  readonly variables: readonly string[];

  constructor(message: string, variables: readonly string[]) {
    super('QP_ENV_INVALID', message);
    this.name = 'EnvError';
    this.variables = variables;
  }
}

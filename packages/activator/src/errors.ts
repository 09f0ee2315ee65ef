/** Stable codes for everything the activator rejects or fails on; tests match on `code`. */
export type ActivatorErrorCode =
  | 'ACT_BAD_HOST' // neither the Host nor the Knative-Serving-* headers name a revision
  | 'ACT_UNKNOWN_REVISION' // the named revision is not in the topology
  | 'ACT_QUEUE_FULL' // the revision's queue is at its depth
  | 'ACT_QUEUE_TIMEOUT' // no capacity within the queue timeout
  | 'ACT_REVISION_TIMEOUT' // the pod did not answer within the revision timeout
  | 'ACT_NO_POD' // every ready pod was already tried (retries exhausted)
  | 'ACT_UPSTREAM' // the pod failed in a way that is not retried
  | 'ACT_REVISION_GONE' // the revision was deleted while the request waited
  | 'ACT_DRAINING' // the activator is shutting down
  | 'ACT_CANCELLED' // the client went away while its request waited
  | 'ACT_CONFIG'; // invalid env, flags or topology file

export class ActivatorError extends Error {
  override readonly name = 'ActivatorError';
  readonly code: ActivatorErrorCode;

  constructor(code: ActivatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The HTTP status a typed error is answered with. */
export function statusForError(code: ActivatorErrorCode): number {
  switch (code) {
    case 'ACT_BAD_HOST':
    case 'ACT_UNKNOWN_REVISION':
      return 404;
    case 'ACT_QUEUE_FULL':
    case 'ACT_QUEUE_TIMEOUT':
    case 'ACT_REVISION_GONE':
    case 'ACT_DRAINING':
      return 503;
    case 'ACT_CANCELLED':
      return 499;
    case 'ACT_REVISION_TIMEOUT':
      return 504;
    case 'ACT_NO_POD':
    case 'ACT_UPSTREAM':
      return 502;
    case 'ACT_CONFIG':
      return 500;
  }
}

/** Stable codes of the webhook's typed errors; tests match on these, never on message text. */
export type WebhookErrorCode =
  | 'WEBHOOK_BAD_REQUEST' // the HTTP request or its AdmissionReview body could not be parsed
  | 'WEBHOOK_BODY_TOO_LARGE'
  | 'WEBHOOK_ENV_INVALID'
  | 'WEBHOOK_CERTS'; // certificates could not be read or generated

export class WebhookError extends Error {
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
    this.code = code;
  }
}

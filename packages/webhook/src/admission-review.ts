// admission.k8s.io/v1 AdmissionReview: the request as the apiserver sends it (zod), the response
// as it expects it back.
import { z } from 'zod';
import { WebhookError } from './errors.js';
import type { JsonPatchOp } from './json-patch.js';

const GroupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const GroupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });

export const AdmissionRequestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: GroupVersionKind,
  resource: GroupVersionResource,
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.looseObject({ username: z.string().optional() }).optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequestSchema>;

export const AdmissionReviewSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1', { error: 'must be admission.k8s.io/v1' }),
  kind: z.literal('AdmissionReview', { error: 'must be AdmissionReview' }),
  request: AdmissionRequestSchema,
});
export type AdmissionReview = z.infer<typeof AdmissionReviewSchema>;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** Parses a request body (already JSON-decoded). Throws WEBHOOK_BAD_REQUEST naming the field. */
export function parseAdmissionReview(body: unknown): AdmissionReview {
  const r = AdmissionReviewSchema.safeParse(body);
  if (r.success) return r.data;
  const where = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length === 0 ? '(body)' : i.path.map(String).join('.')}: ${i.message}`)
    .join('; ');
  throw new WebhookError('WEBHOOK_BAD_REQUEST', `not an admission.k8s.io/v1 AdmissionReview: ${where}`);
}

/** Parses raw bytes: JSON first, then the review. Throws WEBHOOK_BAD_REQUEST. */
export function parseAdmissionReviewText(text: string): AdmissionReview {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new WebhookError('WEBHOOK_BAD_REQUEST', `body is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return parseAdmissionReview(body);
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

export function allow(uid: string, opts: { patch?: JsonPatchOp[]; warnings?: string[] } = {}): AdmissionResponse {
  const res: AdmissionResponse = { uid, allowed: true };
  if (opts.patch !== undefined && opts.patch.length > 0) {
    res.patchType = 'JSONPatch';
    res.patch = Buffer.from(JSON.stringify(opts.patch)).toString('base64');
  }
  if (opts.warnings !== undefined && opts.warnings.length > 0) res.warnings = opts.warnings;
  return res;
}

export function deny(uid: string, message: string): AdmissionResponse {
  return { uid, allowed: false, status: { code: 400, reason: 'Invalid', message } };
}

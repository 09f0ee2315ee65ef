import { describe, expect, it } from '@jest/globals';
import { WebhookError, allow, deny, parseAdmissionReview, parseAdmissionReviewText, reviewResponse } from '@kpa-ts/webhook';
import { fixture } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof WebhookError ? err.code : `not a WebhookError: ${String(err)}`;
  }
  return undefined;
}

describe('AdmissionReview parsing', () => {
  it.each(['pod-create-kpa-class', 'pod-create-other-class', 'deployment-create-kpa-class', 'configmap-create-config-autoscaler'])('parses the real review %s', (name) => {
    const review = parseAdmissionReview(fixture(name));
    expect(review.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(review.request.operation).toBe('CREATE');
  });

  it.each([
    ['not JSON', '{"apiVersion":', 'body is not JSON'],
    ['JSON null', 'null', 'not an admission.k8s.io/v1 AdmissionReview'],
    ['the v1beta1 version', JSON.stringify({ ...fixture('pod-create-kpa-class'), apiVersion: 'admission.k8s.io/v1beta1' }), 'apiVersion: must be admission.k8s.io/v1'],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'request:'],
    ['an empty uid', JSON.stringify({ ...fixture('pod-create-kpa-class'), request: { ...fixture('pod-create-kpa-class').request, uid: '' } }), 'request.uid'],
    ['an unknown operation', JSON.stringify({ ...fixture('pod-create-kpa-class'), request: { ...fixture('pod-create-kpa-class').request, operation: 'PATCH' } }), 'request.operation'],
  ])('rejects %s with WEBHOOK_BAD_REQUEST naming the problem', (_name, text, message) => {
    expect(codeOf(() => parseAdmissionReviewText(text))).toBe('WEBHOOK_BAD_REQUEST');
    expect(() => parseAdmissionReviewText(text)).toThrow(message);
  });

  it('builds responses: allow with a base64 JSON Patch and warnings, deny with a status', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/labels', value: { a: 'b' } }];
    const res = allow('u1', { patch, warnings: ['careful'] });
    expect(res).toMatchObject({ uid: 'u1', allowed: true, patchType: 'JSONPatch', warnings: ['careful'] });
    expect(JSON.parse(Buffer.from(res.patch ?? '', 'base64').toString())).toEqual(patch);
    expect(allow('u2', { patch: [], warnings: [] })).toEqual({ uid: 'u2', allowed: true });
    expect(reviewResponse(deny('u3', 'no'))).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u3', allowed: false, status: { code: 400, reason: 'Invalid', message: 'no' } },
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { DEFAULT_AUTOSCALER_CONFIG, type AutoscalerConfig } from '@kpa-ts/config';
import { DEFAULT_INJECTION_CONFIG, admitMutation, admitValidation, parseAdmissionReview, type AdmissionRequest } from '@kpa-ts/webhook';
import { fixture } from './helpers.js';

const validateDeps = (config: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG) => ({ autoscalerConfig: () => config, systemNamespace: 'kpa-system' });
const request = (name: string, edit: (r: AdmissionRequest) => void = () => {}): AdmissionRequest => {
  const req = parseAdmissionReview(fixture(name)).request;
  edit(req);
  return req;
};
type Template = { spec: { template: { metadata: { annotations: Record<string, string> } } } };
const template = (r: AdmissionRequest): Template['spec']['template']['metadata'] => (r.object as Template).spec.template.metadata;
const meta = (r: AdmissionRequest): { name?: string; namespace?: string } => (r.object as { metadata: { name?: string; namespace?: string } }).metadata;
const data = (r: AdmissionRequest): { data?: Record<string, string> } => r.object as { data?: Record<string, string> };

describe('admitMutation', () => {
  it('patches a pod of our class and echoes the uid', () => {
    const req = request('pod-create-kpa-class');
    const a = admitMutation(req, { injection: DEFAULT_INJECTION_CONFIG });
    expect(a).toMatchObject({ kind: 'Pod', result: 'patched', detail: 'shop', response: { uid: req.uid, allowed: true, patchType: 'JSONPatch' } });
  });

  it.each([
    ['another class', 'pod-create-other-class', () => {}],
    ['an UPDATE', 'pod-create-kpa-class', (r: AdmissionRequest) => void (r.operation = 'UPDATE')],
    ['a subresource', 'pod-create-kpa-class', (r: AdmissionRequest) => void (r.subResource = 'status')],
    ['a Deployment sent to /mutate-pods', 'deployment-create-kpa-class', () => {}],
  ])('allows %s untouched', (_name, fx, edit) => {
    const a = admitMutation(request(fx, edit), { injection: DEFAULT_INJECTION_CONFIG });
    expect(a.result).toBe('skipped');
    expect(a.response).toEqual({ uid: expect.any(String), allowed: true });
  });
});

describe('admitValidation', () => {
  it('allows a Deployment of our class with valid annotations', () => {
    expect(admitValidation(request('deployment-create-kpa-class'), validateDeps())).toMatchObject({ kind: 'Deployment', result: 'allowed', response: { allowed: true } });
  });

  it.each([
    ['autoscaling.knative.dev/min-scale', '-1'],
    ['autoscaling.knative.dev/target', '0'],
    ['autoscaling.knative.dev/panic-threshold-percentage', '50'],
    ['autoscaling.knative.dev/scale-down-delay', '2h'],
    ['kpa-ts.dev/container-concurrency', 'x'],
  ])('denies a Deployment whose %s is %s, naming the key', (key, value) => {
    const req = request('deployment-create-kpa-class', (r) => void (template(r).annotations[key] = value));
    const a = admitValidation(req, validateDeps());
    expect(a.result).toBe('denied');
    expect(a.response.allowed).toBe(false);
    expect(a.response.status?.message).toContain(key);
  });

  it('validates max-scale against the current config (max-scale-limit)', () => {
    const req = request('deployment-create-kpa-class', (r) => void (template(r).annotations['autoscaling.knative.dev/max-scale'] = '50'));
    expect(admitValidation(req, validateDeps()).result).toBe('allowed');
    const limited = { ...DEFAULT_AUTOSCALER_CONFIG, maxScaleLimit: 10, maxScale: 10 };
    expect(admitValidation(req, validateDeps(limited)).response.status?.message).toContain('max-scale-limit');
  });

  it('does not check a Deployment of another class', () => {
    const req = request('deployment-create-kpa-class', (r) => {
      template(r).annotations = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev', 'autoscaling.knative.dev/min-scale': '-1' };
    });
    expect(admitValidation(req, validateDeps()).result).toBe('skipped');
  });

  it('denies an invalid config-autoscaler, naming the key (fixture: max-scale-up-rate 0.5)', () => {
    const a = admitValidation(request('configmap-create-config-autoscaler'), validateDeps());
    expect(a).toMatchObject({ kind: 'ConfigMap', result: 'denied' });
    expect(a.response.status?.message).toContain('max-scale-up-rate');
  });

  it.each([
    ['in another namespace', (r: AdmissionRequest) => void ((meta(r).namespace = 'default'), (r.namespace = 'default'))],
    ['with another name', (r: AdmissionRequest) => void (meta(r).name = 'config-network')],
  ])('leaves a ConfigMap %s alone', (_name, edit) => {
    expect(admitValidation(request('configmap-create-config-autoscaler', edit), validateDeps()).result).toBe('skipped');
  });

  it('allows a valid config-autoscaler and skips DELETE', () => {
    const ok = request('configmap-create-config-autoscaler', (r) => void (data(r).data = { 'max-scale-up-rate': '10' }));
    expect(admitValidation(ok, validateDeps()).result).toBe('allowed');
    expect(admitValidation(request('configmap-create-config-autoscaler', (r) => void (r.operation = 'DELETE')), validateDeps()).result).toBe('skipped');
  });
});

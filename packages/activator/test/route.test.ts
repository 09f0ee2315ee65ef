import { describe, expect, it } from '@jest/globals';
import { hostWithoutPort, parseRoute } from '@kpa-ts/activator';

describe('parseRoute', () => {
  const ok = (namespace: string, revision: string, via: 'host' | 'headers') => ({ ok: true, ref: { namespace, revision }, via });
  it.each([
    ['plain host', { host: 'hello-00001.default.kpa.local' }, ok('default', 'hello-00001', 'host')],
    ['port ignored', { host: 'hello.default.kpa.local:8080' }, ok('default', 'hello', 'host')],
    ['upper case and trailing dot', { host: 'Hello.Default.KPA.local.' }, ok('default', 'hello', 'host')],
    ['headers win over host', { host: 'x.y.kpa.local', 'knative-serving-namespace': 'ns1', 'knative-serving-revision': 'r1' }, ok('ns1', 'r1', 'headers')],
    ['headers without any host', { 'knative-serving-namespace': 'ns1', 'knative-serving-revision': 'r1' }, ok('ns1', 'r1', 'headers')],
  ])('%s', (_name, headers, want) => {
    expect(parseRoute(headers, 'kpa.local')).toEqual(want);
  });

  it.each([
    ['other domain', { host: 'hello.default.example.com' }, 'no revision for Host "hello.default.example.com"'],
    ['too few labels', { host: 'default.kpa.local' }, 'expected Host <revision>.<namespace>.kpa.local'],
    ['too many labels', { host: 'a.b.c.kpa.local' }, 'no revision for Host "a.b.c.kpa.local"'],
    ['no host', {}, 'no revision for Host ""'],
    ['IPv6 literal', { host: '[::1]:8080' }, 'no revision for Host "[::1]:8080"'],
    ['bad label', { host: 'he_llo.default.kpa.local' }, 'no revision for Host'],
    ['only the namespace header', { 'knative-serving-namespace': 'ns1' }, 'header Knative-Serving-Revision is missing'],
    ['only the revision header', { 'knative-serving-revision': 'r1' }, 'header Knative-Serving-Namespace is missing'],
    ['invalid header values', { 'knative-serving-namespace': 'NS', 'knative-serving-revision': 'r/1' }, 'not valid DNS labels'],
  ])('rejects %s with a reason naming what was asked', (_name, headers, reason) => {
    const r = parseRoute(headers, 'kpa.local');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('takes a configured multi-label domain', () => {
    expect(parseRoute({ host: 'r.ns.apps.example.com' }, 'apps.example.com')).toEqual(ok('ns', 'r', 'host'));
  });

  it.each([
    ['a.b:80', 'a.b'],
    ['a.b', 'a.b'],
    ['', undefined],
    ['a.b:x', undefined],
    [undefined, undefined],
  ])('hostWithoutPort(%j) = %j', (h, want) => {
    expect(hostWithoutPort(h)).toBe(want);
  });
});

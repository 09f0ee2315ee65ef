import { describe, expect, it } from '@jest/globals';
import { ownerNameFromGenerateName, revisionOf } from '@kpa-ts/webhook';

describe('revision names', () => {
  it.each([
    ['web-5d75b59c69-', '5d75b59c69', 'web'],
    ['my-app-v2-7f9c-', '7f9c', 'my-app-v2'],
    ['web-5d75b59c69-', undefined, 'web-5d75b59c69'],
    ['standalone-', 'abc', 'standalone'],
    ['noDash', undefined, 'noDash'],
  ])('generateName %s (pod-template-hash %s) → %s', (generateName, hash, want) => {
    expect(ownerNameFromGenerateName(generateName, hash)).toBe(want);
  });

  it.each([
    [{ labels: { 'kpa-ts.dev/revision': 'r', 'app.kubernetes.io/name': 'a' }, generateName: 'g-' }, 'r'],
    [{ labels: { 'app.kubernetes.io/name': 'a' }, generateName: 'g-' }, 'a'],
    [{ labels: { 'pod-template-hash': 'h1' }, generateName: 'shop-h1-' }, 'shop'],
    [{ labels: { 'pod-template-hash': 'h1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-h1', controller: true }] }, 'shop'],
    [{ name: 'lonely' }, 'lonely'],
    [{}, undefined],
  ])('revisionOf(%j) = %s', (meta, want) => {
    expect(revisionOf(meta)?.revision).toBe(want);
  });
});

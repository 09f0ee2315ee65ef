// The revision-name rule the webhook, the activator and the autoscaler share.
import { describe, expect, it } from '@jest/globals';
import { deploymentRevisionName, ownerNameFromGenerateName, revisionOf, type RevisionNameInput } from '@kpa-ts/kube';

describe('ownerNameFromGenerateName', () => {
  it.each([
    { generateName: 'web-5d75b59c69-', hash: '5d75b59c69', want: 'web' },
    { generateName: 'my-app-v2-7f9c-', hash: '7f9c', want: 'my-app-v2' },
    { generateName: 'web-5d75b59c69-', hash: undefined, want: 'web-5d75b59c69' }, // no hash label: only the dash goes
    { generateName: 'web-5d75b59c69-', hash: 'other', want: 'web-5d75b59c69' },
    { generateName: 'standalone-', hash: 'abc', want: 'standalone' },
    { generateName: 'noDash', hash: undefined, want: 'noDash' },
  ])('$generateName (pod-template-hash $hash) → $want', ({ generateName, hash, want }) => {
    expect(ownerNameFromGenerateName(generateName, hash)).toBe(want);
  });
});

describe('revisionOf', () => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-h1', controller: true };
  it.each<{ name: string; meta: RevisionNameInput; want: [string, string] | undefined }>([
    { name: 'the revision label wins', meta: { labels: { 'kpa-ts.dev/revision': 'r', 'app.kubernetes.io/name': 'a' }, generateName: 'g-' }, want: ['r', 'label kpa-ts.dev/revision'] },
    { name: 'then app.kubernetes.io/name', meta: { labels: { 'app.kubernetes.io/name': 'a' }, generateName: 'g-' }, want: ['a', 'label app.kubernetes.io/name'] },
    { name: 'an empty label counts as absent', meta: { labels: { 'kpa-ts.dev/revision': '', 'app.kubernetes.io/name': 'a' } }, want: ['a', 'label app.kubernetes.io/name'] },
    { name: 'then the owner from generateName', meta: { labels: { 'pod-template-hash': 'h1' }, generateName: 'shop-h1-' }, want: ['shop', 'metadata.generateName'] },
    { name: 'then the controller owner', meta: { labels: { 'pod-template-hash': 'h1' }, ownerReferences: [{ kind: 'Job', name: 'other' }, rs] }, want: ['shop', 'owner ReplicaSet'] },
    { name: 'else the first owner', meta: { ownerReferences: [{ kind: 'Job', name: 'batch' }] }, want: ['batch', 'owner Job'] },
    { name: 'then its own name', meta: { name: 'lonely' }, want: ['lonely', 'metadata.name'] },
    { name: 'a Deployment: template labels, else its name', meta: { name: 'web-v1', labels: { app: 'web' } }, want: ['web-v1', 'metadata.name'] },
    { name: 'nothing at all', meta: {}, want: undefined },
    { name: 'nulls as a typed list has them', meta: { labels: null, generateName: null, ownerReferences: null, name: null }, want: undefined },
  ])('$name', ({ meta, want }) => {
    const got = revisionOf(meta);
    expect(got === undefined ? undefined : [got.revision, got.source]).toEqual(want);
  });
});

describe('deploymentRevisionName', () => {
  it.each([
    { labels: { 'kpa-ts.dev/revision': 'hello-v2', 'app.kubernetes.io/name': 'web' }, want: 'hello-v2' },
    { labels: { 'app.kubernetes.io/name': 'web' }, want: 'web' },
    { labels: { app: 'hello' }, want: 'hello-deploy' },
    { labels: undefined, want: 'hello-deploy' },
  ])('template labels $labels → $want', ({ labels, want }) => {
    expect(deploymentRevisionName('hello-deploy', labels)).toBe(want);
  });
});

// Test helpers: real AdmissionReview fixtures (captured from kube-apiserver v1.33 by
// e2e/k8s/capture-admission-fixtures.ts), read fresh for every use so no test sees another's edits,
// and a small RFC 6902 applier for the ops the webhook emits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonPatchOp } from '@kpa-ts/webhook';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

export type Review = { apiVersion: string; kind: string; request: { uid: string; object: Record<string, unknown>; [k: string]: unknown } };

export function fixture(name: string): Review {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Review;
}

function unescape(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Applies `add` ops (the only ones the webhook emits) to a deep copy of `doc`. */
export function applyPatch<T>(doc: T, patch: readonly JsonPatchOp[]): T {
  const out = structuredClone(doc) as unknown as Record<string, unknown>;
  for (const op of patch) {
    if (op.op !== 'add') throw new Error(`unexpected op ${op.op}`);
    const parts = op.path.split('/').slice(1).map(unescape);
    const last = parts.pop() as string;
    let target: unknown = out;
    for (const p of parts) {
      target = (target as Record<string, unknown>)[p];
      if (target === undefined) throw new Error(`path ${op.path}: ${p} does not exist`);
    }
    if (Array.isArray(target)) {
      if (last === '-') target.push(op.value);
      else target.splice(Number(last), 0, op.value);
    } else {
      (target as Record<string, unknown>)[last] = op.value;
    }
  }
  return out as unknown as T;
}

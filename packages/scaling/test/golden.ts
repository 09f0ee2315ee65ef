// Loads the hand-worked golden tables (test/golden/*.json). JSON has no undefined: null stands for it.
import { readFileSync } from 'node:fs';

/** Deeply turns null into undefined (the golden files write undefined as null). */
export function nullsToUndefined(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(nullsToUndefined);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, nullsToUndefined(v)]));
  }
  return value;
}

export function loadGolden<T>(name: string): T {
  const text = readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
  return nullsToUndefined(JSON.parse(text)) as T;
}

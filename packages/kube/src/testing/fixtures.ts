// Objects as the apiserver sends them (captured JSON, test/fixtures/*.json), deep-cloned per call so
// a test can edit its copy.
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
export type FixtureName = 'pod' | 'deployment';

const cache = new Map<FixtureName, Json>();

/**
 * `pod`: an injected Pod of revision `hello` in `demo`, Ready, IP 127.0.1.7, queue-proxy on 8012
 * (containerConcurrency 2); `deployment`: Deployment `hello` in `demo` of our class, replicas 0,
 * max-scale 5, containerConcurrency 2, no queue-proxy in its template.
 */
export function apiserverObject(name: FixtureName, edit: (o: Json) => void = () => undefined): Json {
  let base = cache.get(name);
  if (base === undefined) {
    // src/testing/ and dist/testing/ are both two levels below the package.
    base = JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as Json;
    cache.set(name, base);
  }
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

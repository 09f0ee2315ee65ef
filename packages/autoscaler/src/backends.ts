// The ScaleBackends main.ts can build: the local runtime's API, or memory (a dry run).
import { readFile } from 'node:fs/promises';
import { createRuntimeClient } from '@kpa-ts/runtime-local';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AutoscalerError, errorText } from './errors.js';
import { parseManagedRevision } from './managed-revision.js';
import { createMemoryBackend } from './memory-backend.js';
import type { ScaleBackend } from './ports.js';

/** The local runtime's HTTP API (packages/runtime-local) as a ScaleBackend: its watch lists the revisions. */
export function createLocalBackend(runtimeUrl: string, logger: Logger): ScaleBackend {
  const client = createRuntimeClient(runtimeUrl, { logger: logger.child({ component: 'runtime-client' }) });
  const backend = client.scaleBackend();
  return {
    start: (l) => backend.start(l),
    readyPods: (ns, rev) => backend.readyPods(ns, rev),
    getScale: (ns, rev) => backend.getScale(ns, rev),
    scale: (ns, rev, replicas) => backend.scale(ns, rev, replicas),
    async stop() {
      await backend.stop();
      client.close();
    },
  };
}

const memoryFileSchema = z.array(z.object({ replicas: z.number().int().min(0).default(0) }).loose());

/**
 * A dry run: the revisions of a JSON file (ManagedRevision plus `replicas`) in memory, pods ready
 * as soon as they are asked for. No file: no revisions.
 */
export async function createMemoryBackendFromFile(file: string | undefined): Promise<ScaleBackend> {
  const backend = createMemoryBackend({ autoReady: true });
  if (file === undefined) return backend;
  let items: z.infer<typeof memoryFileSchema>;
  try {
    items = memoryFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    throw new AutoscalerError('AS_INVALID_ENV', `MEMORY_REVISIONS_FILE=${file}: ${errorText(err)}`, { cause: err });
  }
  for (const item of items) backend.upsert(parseManagedRevision({ namespace: item['namespace'], revision: item['revision'], annotations: item['annotations'] ?? {}, containerConcurrency: item['containerConcurrency'] ?? 0 }), item.replicas);
  return backend;
}

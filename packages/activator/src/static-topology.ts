import { z } from 'zod';
import { ActivatorError } from './errors.js';
import { createMemoryTopology, type MemoryTopology } from './memory-topology.js';
import type { Endpoint, RevisionInfo } from './topology.js';

const label = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lower case, digits, dashes, ≤ 63)');

const endpointSchema = z.object({
  pod: z.string().min(1),
  ip: z.ipv4(),
  port: z.number().int().min(1).max(65535),
  ready: z.boolean().default(true),
});

const revisionSchema = z.object({
  namespace: label,
  revision: label,
  containerConcurrency: z.number().int().min(0).max(1000),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  endpoints: z.array(endpointSchema).default([]),
});

/** The TOPOLOGY=static file: revisions and their endpoints, fixed (tests, demos, a single box). */
export const topologyFileSchema = z.object({ revisions: z.array(revisionSchema) });

export type TopologyFile = z.input<typeof topologyFileSchema>;

/** Pure: a parsed file → an in-memory topology holding it. Errors name the field and the value. */
export function topologyFromJson(json: unknown, source = 'topology file'): MemoryTopology {
  const parsed = topologyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw new ActivatorError('ACT_CONFIG', `${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const revisions: RevisionInfo[] = [];
  const endpoints: Record<string, Endpoint[]> = {};
  for (const r of parsed.data.revisions) {
    revisions.push({ namespace: r.namespace, revision: r.revision, containerConcurrency: r.containerConcurrency, ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}) });
    endpoints[`${r.namespace}/${r.revision}`] = r.endpoints;
  }
  return createMemoryTopology({ revisions, endpoints });
}

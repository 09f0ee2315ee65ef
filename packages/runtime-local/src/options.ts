import { z } from 'zod';
import { RuntimeError } from './errors.js';
import type { RevisionTemplate } from './types.js';

// Kubernetes DNS-1123 label: names end up in pod names and log file names.
const dnsLabel = z
  .string()
  .max(63, { error: 'must be at most 63 characters' })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a DNS label: lower-case letters, digits and -' });

const port = z.number().int().min(1).max(65_535);
const stringMap = z.record(z.string(), z.string());

const templateSchema = z.object({
  namespace: dnsLabel,
  // the pod name adds 6 characters ("-xxxxx") and must stay a label too
  revision: dnsLabel.max(57, { error: 'must be at most 57 characters (pod names add 6)' }),
  containerConcurrency: z.number().int().min(0).max(1000),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  app: z.object({
    command: z.string().min(1),
    args: z.array(z.string()),
    env: stringMap.optional(),
    port: port.optional(),
  }),
  env: stringMap.optional(),
});

function describe(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  let value: unknown = input;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return `${issue.path.join('.') || '(root)'}=${JSON.stringify(value)}: ${issue.message}`;
}

/** Validates a template at the API boundary; names the field, value and rule on failure. */
export function parseTemplate(t: RevisionTemplate): RevisionTemplate {
  const parsed = templateSchema.safeParse(t);
  if (!parsed.success) throw new RuntimeError('RUNTIME_INVALID_TEMPLATE', `revision template ${describe(parsed.error, t)}`);
  return t;
}

export function parseReplicas(replicas: number): number {
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000) {
    throw new RuntimeError('RUNTIME_INVALID_REPLICAS', `replicas=${replicas}: must be an integer in 0..1000`);
  }
  return replicas;
}

const optionsSchema = z.object({
  queueProxy: z.object({ command: z.string().min(1), args: z.array(z.string()), env: stringMap.optional() }),
  ipRange: z.string().optional(),
  redisUrl: z.string().min(1).optional(),
  probeIntervalMs: z.number().int().min(10).max(60_000).optional(),
  initialProbeIntervalMs: z.number().int().min(5).max(10_000).optional(),
  probeTimeoutMs: z.number().int().min(10).max(60_000).optional(),
  probeFailureThreshold: z.number().int().min(1).max(100).optional(),
  terminationGraceMs: z.number().int().min(0).max(3_600_000).optional(),
  logDir: z.string().min(1).optional(),
  queueServingPort: port.optional(),
  metricsPort: port.optional(),
});

/** Validates the options' plain fields (the logger, clock and random are taken as given). */
export function checkOptions(opts: unknown): void {
  const parsed = optionsSchema.safeParse(opts);
  if (!parsed.success) throw new RuntimeError('RUNTIME_INVALID_OPTIONS', `local runtime option ${describe(parsed.error, opts)}`);
}

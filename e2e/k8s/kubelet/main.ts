// node --import tsx e2e/k8s/kubelet/main.ts --kubeconfig FILE [--node-name N] [--pod-cidr CIDR]
//   [--log-dir DIR] [--host-ip IP] [--no-schedule]
// Runs the process-kubelet until SIGTERM/SIGINT, then kills every container it started.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { ProcessKubelet } from './kubelet.js';

const FlagsSchema = z.object({
  kubeconfig: z.string({ error: '--kubeconfig FILE is required' }).min(1),
  'node-name': z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS name').default('process-node'),
  'pod-cidr': z.string().default('127.20.0.0/16'),
  'host-ip': z.string().default('127.0.0.1'),
  'log-dir': z.string().optional(),
  'no-schedule': z.boolean().default(false),
  graceful: z.boolean().default(false),
});

function parseFlags(): z.infer<typeof FlagsSchema> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'pod-cidr': { type: 'string' },
      'host-ip': { type: 'string' },
      'log-dir': { type: 'string' },
      'no-schedule': { type: 'boolean' },
      graceful: { type: 'boolean' },
    },
    strict: true,
  });
  const r = FlagsSchema.safeParse(values);
  if (!r.success) {
    console.error(`process-kubelet: ${r.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}`);
    process.exit(2);
  }
  return r.data;
}

async function run(): Promise<void> {
  const flags = parseFlags();
  const kc = new KubeConfig();
  kc.loadFromFile(flags.kubeconfig);
  const logDir = flags['log-dir'] ?? mkdtempSync(join(tmpdir(), 'process-kubelet-'));
  const log = (level: string) => (obj: object, msg?: string) => console.log(JSON.stringify({ level, time: new Date().toISOString(), msg, ...obj }));
  const kubelet = new ProcessKubelet({
    kubeConfig: kc,
    nodeName: flags['node-name'],
    podCIDR: flags['pod-cidr'],
    hostIP: flags['host-ip'],
    logDir,
    schedule: !flags['no-schedule'],
    logger: { debug: () => {}, info: log('info'), warn: log('warn') },
    onEvent: (e) => console.log(JSON.stringify({ level: 'event', time: new Date().toISOString(), ...e })),
  });
  await kubelet.start();
  console.log(JSON.stringify({ level: 'info', msg: 'process-kubelet running', node: kubelet.nodeName, logDir }));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await kubelet.stop({ graceful: flags.graceful });
  process.exit(0);
}

run().catch((err: unknown) => {
  console.error('process-kubelet: fatal', err);
  process.exit(1);
});

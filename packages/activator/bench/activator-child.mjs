// The activator under bench, as a plain node process (no loader): one revision on the upstream given
// by argv, in the given mode. argv: <upstreamPort> <proxy|serve> <containerConcurrency>. Prints its port.
// The built package (dist, through the package's own exports: pnpm bench builds first), not the sources.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createActivator, createMemoryTopology } from '@kpa-ts/activator';

const [portArg, mode, ccArg] = process.argv.slice(2);
const upstreamPort = Number(portArg);
const cc = Number(ccArg);
if (!Number.isInteger(upstreamPort) || (mode !== 'proxy' && mode !== 'serve') || !Number.isInteger(cc)) {
  process.stderr.write('usage: activator-child <upstreamPort> <proxy|serve> <cc>\n');
  process.exit(2);
}
const topology = createMemoryTopology({
  revisions: [{ namespace: 'bench', revision: 'r', containerConcurrency: cc }],
  endpoints: { 'bench/r': [{ pod: 'up', ip: '127.0.0.1', port: upstreamPort, ready: true }] },
});
const activator = createActivator({
  name: 'act-bench',
  host: '127.0.0.1',
  port: 0,
  adminHost: '127.0.0.1',
  adminPort: undefined,
  domain: 'kpa.local',
  queueDepth: 10_000,
  queueTimeoutMs: 30_000,
  defaultTimeoutSeconds: 30,
  maxAttempts: 3,
  retryBodyMaxBytes: 64 * 1024,
  statsIntervalMs: 1000,
  pokeIntervalMs: 1000,
  activatorIndex: -1,
  activatorReplicas: 1,
  drainTimeoutMs: 1000,
  decisionsStartTimeoutMs: 1000,
  topology,
  stats: { publish: () => undefined },
  pokes: { poke: () => undefined },
  decisions: {
    start: async (cb) => cb({ ns: 'bench', rev: 'r', ts: Date.now(), desired: 1, ready: 1, ebc: mode === 'serve' ? 100 : -1, mode, numActivators: 1, podCapacity: cc }),
    stop: async () => undefined,
  },
  registry: new Registry(),
  logger: pino({ level: 'warn' }),
});
const { port } = await activator.start();
process.stdout.write(`PORT ${port}\n`);
process.on('SIGTERM', () => {
  void activator.close().then(() => process.exit(0));
});

import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createActivator, type Activator, type ActivatorOptions } from '../../src/activator.js';
import { createMemoryTopology, type MemoryTopology } from '../../src/memory-topology.js';

export interface TestActivator {
  activator: Activator;
  topology: MemoryTopology;
  registry: Registry;
  port: number;
  adminPort: number;
  close(): Promise<void>;
}

/** An activator on 127.0.0.1 with free ports and an in-memory topology. */
export async function startActivator(over: Partial<ActivatorOptions> = {}): Promise<TestActivator> {
  const topology = createMemoryTopology();
  const registry = new Registry();
  const activator = createActivator({
    name: 'act-test',
    host: '127.0.0.1',
    port: 0,
    adminHost: '127.0.0.1',
    adminPort: 0,
    domain: 'kpa.local',
    queueDepth: 100,
    queueTimeoutMs: 5000,
    defaultTimeoutSeconds: 10,
    maxAttempts: 3,
    retryBodyMaxBytes: 64 * 1024,
    statsIntervalMs: 1000,
    pokeIntervalMs: 1000,
    activatorIndex: -1,
    activatorReplicas: 1,
    drainTimeoutMs: 2000,
    decisionsStartTimeoutMs: 1000,
    topology,
    registry,
    logger: pino({ level: 'silent' }),
    ...over,
  });
  const { port, adminPort } = await activator.start();
  return { activator, topology: (over.topology as MemoryTopology | undefined) ?? topology, registry, port, adminPort: adminPort ?? 0, close: () => activator.close() };
}

import { describe, expect, it } from '@jest/globals';
import { createLocalRuntime, RuntimeError, type LocalRuntimeOptions } from '@kpa-ts/runtime-local';

// Only option validation: each of these throws before anything is created (no I/O).
const qp = { command: 'node', args: ['qp.js'] };

describe('createLocalRuntime options', () => {
  it.each<[string, Partial<LocalRuntimeOptions>]>([
    ['ipRange outside 127/8', { ipRange: '192.168.0.0/16' }],
    ['ipRange not a CIDR', { ipRange: '127.1.0.1' }],
    ['probeIntervalMs too small', { probeIntervalMs: 1 }],
    ['probeFailureThreshold 0', { probeFailureThreshold: 0 }],
    ['negative terminationGraceMs', { terminationGraceMs: -1 }],
    ['queueServingPort 0', { queueServingPort: 0 }],
    ['empty queue-proxy command', { queueProxy: { command: '', args: [] } }],
  ])('rejects %s with RUNTIME_INVALID_OPTIONS', (_name, extra) => {
    let caught: unknown;
    try {
      createLocalRuntime({ queueProxy: qp, ...extra });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuntimeError);
    expect((caught as RuntimeError).code).toBe('RUNTIME_INVALID_OPTIONS');
  });
});

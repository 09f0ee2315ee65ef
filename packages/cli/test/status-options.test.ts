import { describe, expect, it } from '@jest/globals';
import type { CliIo } from '../src/commands/index.js';
import { dispatch } from '../src/dispatch.js';
import { CliError } from '../src/errors.js';
import { parseStatusArgs, STATUS_DEFAULT_REDIS } from '../src/status/options.js';

function usageError(argv: string[]): CliError {
  try {
    parseStatusArgs(argv);
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
}

describe('parseStatusArgs', () => {
  it('defaults: local Redis, no prefix, all namespaces, one table, 3 s to reach Redis', () => {
    expect(parseStatusArgs([])).toEqual({
      redisUrl: STATUS_DEFAULT_REDIS,
      prefix: '',
      namespace: undefined,
      watch: false,
      json: false,
      timeoutMs: 3000,
      help: false,
    });
  });

  it('reads every flag', () => {
    const argv = ['--redis', 'rediss://:pw@127.0.0.1:6380/2', '--prefix', 't-1:', '--namespace', 'prod-1', '--watch', '--json', '--timeout', '1500ms'];
    expect(parseStatusArgs(argv)).toEqual({
      redisUrl: 'rediss://:pw@127.0.0.1:6380/2',
      prefix: 't-1:',
      namespace: 'prod-1',
      watch: true,
      json: true,
      timeoutMs: 1500,
      help: false,
    });
  });

  it.each([
    // [argv, the flag the message must name]
    [['--redis', 'http://127.0.0.1:6379'], '--redis'],
    [['--redis', 'redis://'], '--redis'],
    [['--redis', 'redis://[bad'], '--redis'],
    [['--prefix', 'has space'], '--prefix'],
    [['--prefix', '{tag}'], '--prefix'],
    [['--namespace', 'Upper'], '--namespace'],
    [['--namespace', 'a'.repeat(64)], '--namespace'],
    [['--timeout', 'soon'], '--timeout'],
    [['--timeout', '10ms'], '--timeout'],
    [['--timeout', '2m'], '--timeout'],
    [['--watch=yes'], '--watch'],
    [['--redis'], '--redis'],
    [['--nope'], '--nope'],
  ])('rejects %j naming %s (E_USAGE, exit 2)', (argv, flag) => {
    const err = usageError(argv);
    expect(err.code).toBe('E_USAGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(flag);
  });

  it('takes no positional arguments', () => {
    expect(usageError(['default']).code).toBe('E_USAGE');
  });
});

describe('kpa status through the dispatcher (no Redis needed)', () => {
  function memoryIo() {
    const out = { stdout: '', stderr: '' };
    const io: CliIo = {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
      readFile: async () => '',
      writeFile: async () => undefined,
    };
    return { io, out };
  }

  it('is listed by `kpa help`', async () => {
    const { io, out } = memoryIo();
    expect(await dispatch(['help'], io)).toBe(0);
    expect(out.stdout).toMatch(/^ {2}status\s+what the autoscaler decided/m);
  });

  it('--help prints the options and exits 0', async () => {
    const { io, out } = memoryIo();
    expect(await dispatch(['status', '--help'], io)).toBe(0);
    expect(out.stdout).toContain('--namespace NS');
  });

  it('a bad flag exits 2 before any connection, naming the flag', async () => {
    const { io, out } = memoryIo();
    expect(await dispatch(['status', '--redis', 'localhost:6379'], io)).toBe(2);
    expect(out.stderr).toContain('--redis = "localhost:6379"');
    expect(out.stdout).toBe('');
  });
});

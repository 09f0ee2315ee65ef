// The config-autoscaler file watcher on a real directory: written in place, replaced by rename
// (how editors and Kubernetes ConfigMap volumes update), created late, removed.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, afterEach, beforeEach } from '@jest/globals';
import type { AutoscalerConfig } from '@kpa-ts/config';
import { ConfigReloader, createConfigWatcher, type ConfigWatcher } from '@kpa-ts/autoscaler';
import { waitFor } from '@kpa-ts/testkit';
import { Registry } from 'prom-client';
import { captureLogger, metricValue } from './helpers.js';

let dir: string;
let watcher: ConfigWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kpa-as-config-'));
});
afterEach(async () => {
  watcher?.stop();
  await rm(dir, { recursive: true, force: true });
});

function setup(file: string, pollIntervalMs = 60_000): { applied: AutoscalerConfig[]; reloader: ConfigReloader; registry: Registry; lines: ReturnType<typeof captureLogger>['lines'] } {
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  const applied: AutoscalerConfig[] = [];
  const reloader = new ConfigReloader({ apply: (c) => applied.push(c), logger, registry, source: file });
  watcher = createConfigWatcher({ file, reloader, logger, pollIntervalMs, debounceMs: 20 });
  return { applied, reloader, registry, lines };
}

describe('config watcher', () => {
  it('follows in-place writes and rename swaps through fs.watch (no polling)', async () => {
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'stable-window: 30s\n');
    const { applied, reloader, registry } = setup(file);
    await watcher!.start();
    expect(reloader.current.stableWindowMs).toBe(30_000);

    await writeFile(file, 'stable-window: 40s\n');
    await waitFor(() => reloader.current.stableWindowMs === 40_000, { timeoutMs: 5_000, what: 'in-place write applied' });

    await writeFile(join(dir, '.config.yaml.tmp'), 'stable-window: 50s\n');
    await rename(join(dir, '.config.yaml.tmp'), file);
    await waitFor(() => reloader.current.stableWindowMs === 50_000, { timeoutMs: 5_000, what: 'rename swap applied' });

    await writeFile(file, 'stable-window: nope\n');
    await waitFor(async () => (await metricValue(registry, 'autoscaler_config_reload_failures_total')) === 1, { timeoutMs: 5_000, what: 'failure counted' });
    expect(reloader.current.stableWindowMs).toBe(50_000);
    expect(applied.map((c) => c.stableWindowMs)).toEqual([30_000, 40_000, 50_000]);
  });

  it('no file → defaults; a file created later is loaded; a removed file keeps the last good config (poll)', async () => {
    const file = join(dir, 'later.yaml');
    const { reloader, lines } = setup(file, 50);
    await watcher!.start();
    expect(reloader.current.stableWindowMs).toBe(60_000);
    await writeFile(file, '{"stable-window": "25s"}');
    await waitFor(() => reloader.current.stableWindowMs === 25_000, { timeoutMs: 5_000, what: 'created file applied' });
    await rm(file);
    await waitFor(() => lines.some((l) => String(l.msg).includes('file is gone')), { timeoutMs: 5_000, what: 'removal noticed' });
    expect(reloader.current.stableWindowMs).toBe(25_000);
  });
});

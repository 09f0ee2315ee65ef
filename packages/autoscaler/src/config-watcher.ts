// Follows the config-autoscaler file: fs.watch on its directory (a Kubernetes ConfigMap volume
// swaps a `..data` symlink, so any event there counts) plus a poll as the fallback; the text is
// compared with the last one read, so extra events cost one read.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { errorText } from './errors.js';
import type { ConfigReloader } from './config-reloader.js';

export interface ConfigWatcherOptions {
  file: string;
  reloader: ConfigReloader;
  logger: Logger;
  /** Re-read at least this often (default 2 000 ms). */
  pollIntervalMs?: number;
  /** Wait this long after a change event before reading (editors write in steps; default 100 ms). */
  debounceMs?: number;
}

export interface ConfigWatcher {
  /** Loads the file once (missing → defaults), then follows it. */
  start(): Promise<void>;
  /** Reads the file now and loads it if it changed. */
  check(): Promise<void>;
  stop(): void;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function createConfigWatcher(o: ConfigWatcherOptions): ConfigWatcher {
  const log = o.logger.child({ file: o.file });
  let last: string | undefined | null = null; // null: never read
  let chain: Promise<void> = Promise.resolve();
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let stopped = false;

  const readOnce = async (): Promise<void> => {
    let text: string | undefined;
    try {
      text = await readText(o.file);
    } catch (err) {
      log.warn({ err: errorText(err) }, 'cannot read the config-autoscaler file; keeping the current config');
      return;
    }
    if (stopped || text === last) return;
    last = text;
    o.reloader.load(text);
  };
  const check = (): Promise<void> => (chain = chain.then(readOnce));
  const onEvent = (_event: string, name: string | Buffer | null): void => {
    if (name !== null && String(name) !== basename(o.file) && !String(name).startsWith('..')) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), o.debounceMs ?? 100);
    debounce.unref();
  };

  return {
    async start() {
      await check();
      try {
        watcher = watch(dirname(o.file), { persistent: false }, onEvent);
        watcher.on('error', (err) => log.warn({ err: errorText(err) }, 'fs.watch failed; polling only'));
      } catch (err) {
        log.warn({ err: errorText(err) }, 'fs.watch unavailable; polling only');
      }
      poll = setInterval(() => void check(), o.pollIntervalMs ?? 2_000);
      poll.unref();
    },
    check,
    stop() {
      stopped = true;
      watcher?.close();
      clearInterval(poll);
      clearTimeout(debounce);
    },
  };
}

// Applies config-autoscaler loads: valid → applied (when it changed); invalid → the last good
// config stays, the error is logged naming the key and counted.
import { DEFAULT_AUTOSCALER_CONFIG, type AutoscalerConfig } from '@kpa-ts/config';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { parseConfigText } from './config-file.js';

export interface ConfigReloaderOptions {
  /** Called with every new valid config (not with the one given at start, nor an unchanged one). */
  apply: (config: AutoscalerConfig) => void;
  logger: Logger;
  registry: Registry;
  /** Where the text comes from (logs). */
  source: string;
}

export type LoadResult = 'applied' | 'unchanged' | 'rejected' | 'missing';

function sameConfig(a: AutoscalerConfig, b: AutoscalerConfig): boolean {
  return (Object.keys(a) as (keyof AutoscalerConfig)[]).every((k) => a[k] === b[k]);
}

export class ConfigReloader {
  readonly #o: ConfigReloaderOptions;
  readonly #failures: Counter;
  readonly #reloads: Counter;
  #current: AutoscalerConfig = { ...DEFAULT_AUTOSCALER_CONFIG };
  #loaded = false;

  constructor(o: ConfigReloaderOptions) {
    this.#o = o;
    this.#failures = new Counter({ name: 'autoscaler_config_reload_failures_total', help: 'config-autoscaler loads rejected (the last good config stays)', registers: [o.registry] });
    this.#reloads = new Counter({ name: 'autoscaler_config_reloads_total', help: 'config-autoscaler loads applied', registers: [o.registry] });
  }

  /** The config in force: the last good one (Knative's defaults until one loaded). */
  get current(): AutoscalerConfig {
    return this.#current;
  }

  /** A new text of the file; undefined = there is no file (defaults at start, else kept). */
  load(text: string | undefined): LoadResult {
    const log = this.#o.logger;
    const first = !this.#loaded;
    this.#loaded = true;
    if (text === undefined) {
      if (first) log.info({ source: this.#o.source }, 'no config-autoscaler file: Knative defaults');
      else log.warn({ source: this.#o.source }, 'config-autoscaler file is gone: keeping the last good config');
      return 'missing';
    }
    const result = parseConfigText(text);
    if (!result.ok) {
      this.#failures.inc();
      for (const p of result.problems) log.error({ source: this.#o.source, key: p.key, code: p.code }, `config-autoscaler rejected: ${p.message}; keeping the last good config`);
      return 'rejected';
    }
    if (sameConfig(result.config, this.#current)) return 'unchanged';
    this.#current = result.config;
    this.#reloads.inc();
    log.info({ source: this.#o.source }, 'config-autoscaler loaded');
    this.#o.apply(result.config);
    return 'applied';
  }
}

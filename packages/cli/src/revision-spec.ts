// --config and --annotation through the real @kpa-ts/config parsers into a RevisionScalingSpec.
import {
  ANNOTATION_KEYS,
  CONFIG_KEYS,
  KPA_TS_ANNOTATION_PREFIX,
  LEGACY_ANNOTATION_KEYS,
  makeRevisionSpec,
  parseAnnotations,
  parseAutoscalerConfig,
} from '@kpa-ts/config';
import type { RevisionScalingSpec } from '@kpa-ts/scaling';
import { CliError } from './errors.js';

interface Issue {
  path: PropertyKey[];
  message: string;
}

function configError(flag: string, issues: Issue[]): CliError {
  const lines = issues.map((i) => `--${flag} ${String(i.path[0] ?? '')}: ${i.message}`);
  return new CliError('E_CONFIG', lines.join('\n'));
}

const KNOWN_CONFIG_KEYS = new Set<string>(Object.values(CONFIG_KEYS));
const KNOWN_ANNOTATIONS = new Set<string>([...Object.values(ANNOTATION_KEYS), ...Object.values(LEGACY_ANNOTATION_KEYS)]);

/**
 * Knative ignores keys it does not know; on a command line that is almost always a typo, so the
 * simulator refuses them instead of silently simulating the defaults.
 */
function rejectUnknownKeys(config: Record<string, string>, annotations: Record<string, string>): void {
  const issues: string[] = [];
  for (const key of Object.keys(config)) {
    if (!KNOWN_CONFIG_KEYS.has(key)) issues.push(`--config ${key}: not a config-autoscaler key; known keys: ${[...KNOWN_CONFIG_KEYS].join(', ')}`);
  }
  for (const key of Object.keys(annotations)) {
    if (!KNOWN_ANNOTATIONS.has(key) && !key.startsWith(KPA_TS_ANNOTATION_PREFIX)) {
      issues.push(`--annotation ${key}: not an autoscaling annotation; known: ${Object.values(ANNOTATION_KEYS).map((k) => k.split('/')[1]).join(', ')}`);
    }
  }
  if (issues.length > 0) throw new CliError('E_CONFIG', issues.join('\n'));
}

export function buildRevisionSpec(opts: { config: Record<string, string>; annotations: Record<string, string>; containerConcurrency: number }): RevisionScalingSpec {
  rejectUnknownKeys(opts.config, opts.annotations);
  const config = parseAutoscalerConfig(opts.config);
  if (!config.success) throw configError('config', config.error.issues);
  const annotations = parseAnnotations(opts.annotations, config.data);
  if (!annotations.success) throw configError('annotation', annotations.error.issues);
  return makeRevisionSpec(config.data, annotations.data, opts.containerConcurrency);
}

// A config-autoscaler file's text → AutoscalerConfig: a ConfigMap manifest (YAML or JSON, its
// `data:`) or a plain key → value map. Pure: the watcher reads the file.
import { issueCode, parseAutoscalerConfig, type AutoscalerConfig } from '@kpa-ts/config';
import { parse as parseYaml } from 'yaml';

export interface ConfigProblem {
  /** The ConfigMap key (or '(file)' for the file as a whole). */
  key: string;
  code: string;
  message: string;
}

export type ConfigFileResult = { ok: true; config: AutoscalerConfig } | { ok: false; problems: ConfigProblem[] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The key → value map of the document: a ConfigMap's `data` (none → defaults), else the document
 * itself. Numbers and booleans become their text (a hand-written YAML map says `max-scale-up-rate:
 * 1000`, which a ConfigMap would quote); anything else is left for the config parser to reject.
 */
function dataOf(doc: unknown): unknown {
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) return doc;
  const isConfigMap = doc['kind'] === 'ConfigMap' || isPlainObject(doc['data']);
  const data = isConfigMap ? (doc['data'] ?? {}) : doc;
  if (!isPlainObject(data)) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  return out;
}

/** Parses a config-autoscaler file. An empty file is the defaults (an empty ConfigMap). */
export function parseConfigText(text: string): ConfigFileResult {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [{ key: '(file)', code: 'invalid_yaml', message: `not YAML/JSON: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const parsed = parseAutoscalerConfig(dataOf(doc));
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => ({ key: String(i.path[0] ?? '(file)'), code: issueCode(i), message: i.message })),
  };
}

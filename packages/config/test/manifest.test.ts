// Golden: the shipped manifests/config-autoscaler.yaml is the fixture. Its `_example` block must
// document every key, each with a comment, and parse to exactly DEFAULT_AUTOSCALER_CONFIG
// (as Knative tests config/core/configmaps/autoscaler.yaml).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CONFIG_KEYS, DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from '@kpa-ts/config';

interface ConfigMap {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  data: Record<string, unknown>;
}

const manifest = parse(readFileSync(new URL('../../../manifests/config-autoscaler.yaml', import.meta.url), 'utf8')) as ConfigMap;
const example = String(manifest.data._example);
const lines = example.split('\n');

/** `key: "value"` lines of the block, by a line parser independent of the YAML library. */
function exampleEntries(): [string, string][] {
  return lines
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => {
      const match = /^([a-z0-9-]+): "([^"]*)"$/.exec(line);
      if (match === null) throw new Error(`not a key: "value" line: ${line}`);
      return [match[1] ?? '', match[2] ?? ''];
    });
}

describe('manifests/config-autoscaler.yaml', () => {
  it('is the config-autoscaler ConfigMap in kpa-system', () => {
    expect([manifest.apiVersion, manifest.kind, manifest.metadata.name, manifest.metadata.namespace]).toEqual([
      'v1',
      'ConfigMap',
      'config-autoscaler',
      'kpa-system',
    ]);
  });

  it('holds only the _example block: no active keys', () => {
    expect(Object.keys(manifest.data)).toEqual(['_example']);
  });

  it('the block as shipped (with _example) parses to the defaults', () => {
    expect(parseAutoscalerConfig(manifest.data)).toEqual({ success: true, data: DEFAULT_AUTOSCALER_CONFIG });
  });

  it('the _example block parses to exactly DEFAULT_AUTOSCALER_CONFIG', () => {
    const data = Object.fromEntries(exampleEntries());
    expect(parseAutoscalerConfig(data)).toEqual({ success: true, data: DEFAULT_AUTOSCALER_CONFIG });
  });

  it('documents every key exactly once', () => {
    const keys = exampleEntries().map(([key]) => key);
    expect([...keys].sort()).toEqual(Object.values(CONFIG_KEYS).sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every key has a comment right above it', () => {
    const undocumented = lines.filter((line, i) => /^[a-z]/.test(line) && !(lines[i - 1] ?? '').startsWith('#'));
    expect(undocumented).toEqual([]);
  });

  it('the line parser agrees with a YAML parser on the block', () => {
    expect(parse(example)).toEqual(Object.fromEntries(exampleEntries()));
  });
});

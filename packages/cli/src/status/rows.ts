// The rows of `kpa status`: the latest-decision hash decoded through the bus's own codec. Pure.
import { decisionCodec, revisionKey, type DecisionRecord, type MalformedReason } from '@kpa-ts/bus';

/** A revision whose latest decision decoded. */
export interface DecisionRow {
  kind: 'decision';
  /** the hash field, `${ns}/${rev}` */
  field: string;
  decision: DecisionRecord;
}

/**
 * A hash entry that did not decode. `reason` is the bus codec's (`bad_shape` also for a value that is
 * not a JSON object, as the bus's watcher counts it), or `field_mismatch`: the entry decodes but names
 * another revision than its hash field.
 */
export interface MalformedRow {
  kind: 'malformed';
  field: string;
  /** from the field (`ns/rev`); `?` when it has no `/` */
  namespace: string;
  revision: string;
  reason: MalformedReason | 'field_mismatch';
  detail: string;
}

export type StatusRow = DecisionRow | MalformedRow;

/** Field names are shown, not trusted: garbage is cut to this many characters. */
const SHOWN_MAX = 120;

function clip(text: string): string {
  return text.length <= SHOWN_MAX ? text : `${text.slice(0, SHOWN_MAX - 1)}…`;
}

/** Namespace and revision of a hash field `ns/rev`. */
export function splitField(field: string): { namespace: string; revision: string } {
  const at = field.indexOf('/');
  if (at < 0) return { namespace: '?', revision: clip(field) };
  return { namespace: clip(field.slice(0, at)), revision: clip(field.slice(at + 1)) };
}

/**
 * A hash value back into the flat field list the codec decodes, or null when it is not a JSON object.
 * Non-string values are kept as their JSON text, exactly as the bus's decision watcher reads the hash,
 * so `kpa status` and the activators agree on what is malformed.
 */
function flatFields(json: string): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return Object.entries(value).flatMap(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

function malformed(field: string, reason: MalformedRow['reason'], detail: string): MalformedRow {
  return { kind: 'malformed', field, ...splitField(field), reason, detail: clip(detail) };
}

/** One entry of `kpa:decisions:latest` (`ns/rev` → JSON object of the decision's wire fields). */
export function decodeHashEntry(field: string, json: string): StatusRow {
  const fields = flatFields(json);
  if (fields === null) return malformed(field, 'bad_shape', 'not a JSON object of strings');
  const decoded = decisionCodec.decode(fields);
  if (!decoded.ok) return malformed(field, decoded.reason, decoded.detail);
  const d = decoded.value;
  if (revisionKey(d.ns, d.rev) !== field) return malformed(field, 'field_mismatch', `the entry is for ${revisionKey(d.ns, d.rev)}`);
  return { kind: 'decision', field, decision: d };
}

/** A decision delivered by the bus (already decoded) as a row. */
export function decisionRow(decision: DecisionRecord): DecisionRow {
  return { kind: 'decision', field: revisionKey(decision.ns, decision.rev), decision };
}

export function rowNamespace(row: StatusRow): string {
  return row.kind === 'decision' ? row.decision.ns : row.namespace;
}

export function rowRevision(row: StatusRow): string {
  return row.kind === 'decision' ? row.decision.rev : row.revision;
}

/** By namespace, then revision, then field (plain code-unit order: stable across locales). */
export function compareRows(a: StatusRow, b: StatusRow): number {
  const key = (r: StatusRow): [string, string, string] => [rowNamespace(r), rowRevision(r), r.field];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < 3; i += 1) {
    if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
  }
  return 0;
}

/** Every entry of the hash (HGETALL's reply) as rows, sorted, optionally one namespace's only. */
export function decodeLatestHash(hash: Readonly<Record<string, string>>, namespace?: string): StatusRow[] {
  return Object.entries(hash)
    .map(([field, json]) => decodeHashEntry(field, json))
    .filter((row) => namespace === undefined || rowNamespace(row) === namespace)
    .sort(compareRows);
}

/** True when two decisions say the same thing (same time and every field). */
export function sameDecision(a: DecisionRecord, b: DecisionRecord): boolean {
  const keys = Object.keys(a) as (keyof DecisionRecord)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

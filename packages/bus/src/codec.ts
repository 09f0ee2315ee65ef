import { z } from 'zod';

/** Why an entry could not be decoded; the `reason` label of `kpa_bus_malformed_total`. */
export type MalformedReason = 'bad_shape' | 'missing_version' | 'unknown_version' | 'invalid_fields';

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: MalformedReason; readonly detail: string };

export type EncodeResult =
  | { readonly ok: true; readonly fields: string[] }
  | { readonly ok: false; readonly reason: 'invalid_fields'; readonly detail: string };

/** One field of a record: its schema as a value, and as the string it travels as on the wire. */
export interface Field<T> {
  readonly value: z.ZodType<T>;
  readonly wire: z.ZodType<T>;
}

/**
 * A versioned codec: encodes a record to flat stream fields `['v', version, k1, v1, ...]` and
 * decodes them back with `safeParse`, never throwing.
 */
export interface Codec<T> {
  readonly kind: string;
  readonly version: string;
  encode(value: T): EncodeResult;
  decode(fields: unknown): DecodeResult<T>;
  decodeObject(record: Record<string, unknown>): DecodeResult<T>;
}

/** Name of the version field carried by every entry. */
export const VERSION_FIELD = 'v';
/** An entry with more fields than this is garbage, not a record. */
const MAX_FIELDS = 64;
/** Plain decimal or scientific notation; no hex, no blanks, no 'Infinity'. */
const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number carried as its shortest round-trip decimal string. */
export function numberField(value: z.ZodNumber): Field<number> {
  return { value, wire: z.string().max(40).regex(NUMERIC, 'not a decimal number').transform(Number).pipe(value) };
}

/** A non-empty string of at most `max` characters. */
export function stringField(max: number): Field<string> {
  const value = z.string().min(1).max(max);
  return { value, wire: value };
}

/** One of a fixed set of strings. */
export function enumField<const V extends readonly [string, ...string[]]>(values: V): Field<V[number]> {
  const value = z.enum(values) as unknown as z.ZodType<V[number]>;
  return { value, wire: value };
}

type Fields<T> = { readonly [K in keyof T]-?: Field<T[K]> };

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

/** Turns `[k1, v1, k2, v2, ...]` (as ioredis returns stream fields) into an object, or undefined. */
export function fieldsToObject(fields: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(fields) || fields.length % 2 !== 0 || fields.length > 2 * MAX_FIELDS) return undefined;
  const entries: [string, unknown][] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const key: unknown = fields[i];
    if (typeof key !== 'string') return undefined;
    entries.push([key, fields[i + 1]]);
  }
  return Object.fromEntries(entries); // own properties only: a '__proto__' field cannot touch a prototype
}

/** Builds a codec for the record type `T` from one `Field` per key; `version` goes in field `v`. */
export function defineCodec<T extends object>(kind: string, version: string, fields: Fields<T>): Codec<T> {
  const keys = Object.keys(fields) as (keyof T & string)[];
  const shapeOf = (pick: 'value' | 'wire'): Record<string, z.ZodType> =>
    Object.fromEntries(keys.map((k) => [k, fields[k][pick]]));
  const valueSchema = z.object(shapeOf('value')) as unknown as z.ZodType<T>;
  const wireSchema = z.object(shapeOf('wire')) as unknown as z.ZodType<T>;

  const decodeObject = (record: Record<string, unknown>): DecodeResult<T> => {
    const v = record[VERSION_FIELD];
    if (v === undefined) return { ok: false, reason: 'missing_version', detail: 'no "v" field' };
    if (v !== version) return { ok: false, reason: 'unknown_version', detail: `v = ${String(v).slice(0, 32)}, expected ${version}` };
    const parsed = wireSchema.safeParse(record);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'invalid_fields', detail: firstIssue(parsed.error) };
  };

  return {
    kind,
    version,
    encode(value: T): EncodeResult {
      const parsed = valueSchema.safeParse(value);
      if (!parsed.success) return { ok: false, reason: 'invalid_fields', detail: firstIssue(parsed.error) };
      const out = [VERSION_FIELD, version];
      for (const k of keys) out.push(k, String(parsed.data[k]));
      return { ok: true, fields: out };
    },
    decode(raw: unknown): DecodeResult<T> {
      const record = fieldsToObject(raw);
      if (!record) return { ok: false, reason: 'bad_shape', detail: 'not a flat list of at most 64 string fields' };
      return decodeObject(record);
    },
    decodeObject,
  };
}

// Plain-object checks for untrusted input (ConfigMap data, annotations arrive as parsed JSON/YAML).

/** A plain object (`{}` or `Object.create(null)`): not an array, Map, Date or class instance. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `key` is the object's own property (never an inherited one such as `constructor`). */
export function hasOwn(record: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

// Plain-object checks for untrusted input (ConfigMap data, annotations arrive as parsed JSON/YAML).

/**
 * An object of key → value (`{}`, `Object.create(null)`, one from another realm): not an array,
 * Map, Set, Date or function.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

/** Whether `key` is the object's own property (never an inherited one such as `constructor`). */
export function hasOwn(record: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

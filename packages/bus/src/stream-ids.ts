/** Compares two stream ids (`ms-seq`) numerically: < 0, 0 or > 0. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map((p) => BigInt(p));
  const [bMs = 0n, bSeq = 0n] = b.split('-').map((p) => BigInt(p));
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

/** A raw stream entry as ioredis returns it: `[id, fields]`, fields null for an entry deleted while pending. */
export type RawEntry = [id: string, fields: string[] | null];

/** Narrows an XREAD / XREADGROUP reply (`[[key, entries], ...]` or null) to typed pairs. */
export function streamsReply(reply: unknown): [string, RawEntry[]][] {
  if (!Array.isArray(reply)) return [];
  return reply as [string, RawEntry[]][];
}

/**
 * Hop-by-hop header handling for the reverse proxy (RFC 9110 §7.6.1), on Node's flat
 * `rawHeaders` arrays ([name, value, name, value, ...]) so names keep their case and order.
 */

/** Always hop-by-hop; besides these, every `Proxy-*` header and every header named in `Connection`. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Length first: most names are not 10 characters long, and those skip the lowercase copy.
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const t of (raw[i + 1] as string).split(',')) {
      const token = t.trim().toLowerCase();
      if (token !== '') (tokens ??= new Set()).add(token);
    }
  }
  return tokens;
}

function isHopByHop(lower: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(lower) || lower.startsWith('proxy-') || (named !== undefined && named.has(lower));
}

/** The end-to-end headers of a response (hop-by-hop ones removed). */
export function endToEndHeaders(raw: readonly string[]): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (isHopByHop(name.toLowerCase(), named)) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

export interface ForwardOptions {
  /** The client's address, appended to X-Forwarded-For. */
  clientAddress: string | undefined;
  /** Host to send when the client sent none (HTTP/1.0): HTTP/1.1 requires one. */
  fallbackHost?: string | undefined;
  /** For a protocol upgrade: re-add `Connection: Upgrade` and `Upgrade: <this>` after stripping. */
  upgrade?: string | undefined;
}

/**
 * The headers to send upstream: hop-by-hop headers removed, `X-Forwarded-For` appended with the
 * client's address (earlier values merged into one header), `X-Forwarded-Proto` / `-Host` set
 * when no proxy in front set them already.
 */
export function forwardedRequestHeaders(raw: readonly string[], opts: ForwardOptions): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  let xff: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasXHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (isHopByHop(lower, named)) continue;
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? value : `${xff}, ${value}`;
      continue;
    }
    if (lower === 'host') host = value;
    else if (lower === 'x-forwarded-proto') hasProto = true;
    else if (lower === 'x-forwarded-host') hasXHost = true;
    out.push(name, value);
  }
  if (opts.clientAddress !== undefined) xff = xff === undefined ? opts.clientAddress : `${xff}, ${opts.clientAddress}`;
  if (xff !== undefined) out.push('X-Forwarded-For', xff);
  if (!hasProto) out.push('X-Forwarded-Proto', 'http');
  if (!hasXHost && host !== undefined) out.push('X-Forwarded-Host', host);
  if (host === undefined && opts.fallbackHost !== undefined) out.push('Host', opts.fallbackHost);
  if (opts.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', opts.upgrade);
  return out;
}

/** The value of the first header `lowerName` in a raw header list. */
export function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

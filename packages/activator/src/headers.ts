import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Header hygiene for the proxy, on Node's flat raw header lists (`rawHeaders`:
 * [name, value, name, value, ...]): names keep their case and order, and the list goes to
 * `http.request({ headers })` / `res.writeHead()` as it is, without an object in between.
 */

/** RFC 9110 §7.6.1 connection-specific headers (lower case), never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The lower-case tokens of every `Connection` header, or undefined when there is none (the usual case). */
function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // 'connection'.length: most names skip the lower-case copy.
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = raw[i + 1] as string;
    if (value === 'keep-alive' || value === 'close') continue; // the usual values name no header to drop
    for (const t of value.split(',')) {
      const token = t.trim().toLowerCase();
      if (token !== '') (tokens ??= new Set()).add(token);
    }
  }
  return tokens;
}

function isHopByHop(lower: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(lower) || (named !== undefined && named.has(lower));
}

/** Pure: the end-to-end headers of a raw list (hop-by-hop ones and those named in Connection removed). */
export function endToEndHeaders(raw: readonly string[]): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!isHopByHop(name.toLowerCase(), named)) out.push(name, raw[i + 1] as string);
  }
  return out;
}

export interface ForwardContext {
  /** the client's address as the activator saw it */
  clientIp: string | undefined;
  /** 'http' (the activator terminates plain HTTP) unless a front proxy said otherwise */
  proto: string;
  /** `k-proxied-by` (lower case): always removed from the client's headers, set to `value` in Proxy mode */
  proxiedHeader: { name: string; value: string; set: boolean };
  /** keep `Connection: upgrade` + `Upgrade` for a WebSocket handshake */
  upgrade?: string;
}

/**
 * Pure: the raw request headers a pod receives — hop-by-hop ones removed, `X-Forwarded-For`
 * appended with the client's address (earlier values merged into one header), `X-Forwarded-Proto`
 * / `-Host` set when absent, the proxied header removed and set again in Proxy mode.
 */
export function podRequestHeaders(raw: readonly string[], ctx: ForwardContext): string[] {
  const named = connectionTokens(raw);
  const proxied = ctx.proxiedHeader.name;
  const out: string[] = [];
  let xff: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasXHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    // Expect: node:http has already answered the client's 100-continue.
    if (isHopByHop(lower, named) || lower === proxied || lower === 'expect') continue;
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? value : `${xff}, ${value}`;
      continue;
    }
    if (lower === 'host') {
      if (host !== undefined) continue; // one Host only
      host = value;
    } else if (lower === 'x-forwarded-proto') hasProto = true;
    else if (lower === 'x-forwarded-host') hasXHost = true;
    out.push(name, value);
  }
  if (ctx.clientIp !== undefined) xff = xff === undefined || xff === '' ? ctx.clientIp : `${xff}, ${ctx.clientIp}`;
  if (xff !== undefined) out.push('x-forwarded-for', xff);
  if (!hasProto) out.push('x-forwarded-proto', ctx.proto);
  if (!hasXHost && host !== undefined) out.push('x-forwarded-host', host);
  if (ctx.proxiedHeader.set) out.push(proxied, ctx.proxiedHeader.value);
  if (ctx.upgrade !== undefined) out.push('connection', 'upgrade', 'upgrade', ctx.upgrade);
  return out;
}

/** A header object as a raw list (an array value becomes one entry per element). */
function toRaw(h: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) raw.push(k, x);
    else raw.push(k, v);
  }
  return raw;
}

/** A raw list as a header object with lower-case names (repeated names become arrays). */
function toObject(raw: readonly string[]): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = (raw[i] as string).toLowerCase();
    const v = raw[i + 1] as string;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Pure: a header object (lower-case names, as `req.headers` or undici's) without hop-by-hop headers and those Connection names. */
export function stripHopByHop(h: Readonly<Record<string, string | string[] | undefined>>): OutgoingHttpHeaders {
  const conn = h['connection'];
  const named = conn === undefined ? undefined : connectionTokens(['connection', Array.isArray(conn) ? conn.join(',') : conn]);
  const out: OutgoingHttpHeaders = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined && !isHopByHop(k, named)) out[k] = v;
  }
  return out;
}

/** Pure: `podRequestHeaders` on a header object (as `req.headers`). */
export function requestHeadersForPod(h: IncomingHttpHeaders, ctx: ForwardContext): OutgoingHttpHeaders {
  return toObject(podRequestHeaders(toRaw(h), ctx));
}

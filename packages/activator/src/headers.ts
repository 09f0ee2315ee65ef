import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific headers, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function connectionTokens(v: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
    for (const t of part.split(',')) if (t.trim() !== '') out.add(t.trim().toLowerCase());
  }
  return out;
}

/** Pure: headers without hop-by-hop ones (and those named in Connection). */
export function stripHopByHop(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionTokens(h['connection']);
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  return out;
}

export interface ForwardContext {
  /** the client's address as the activator saw it */
  clientIp: string | undefined;
  /** 'http' (the activator terminates plain HTTP) unless a front proxy said otherwise */
  proto: string;
  /** `k-proxied-by`: always removed from the client's headers, set to `value` in Proxy mode */
  proxiedHeader: { name: string; value: string; set: boolean };
  /** keep `Connection: upgrade` + `Upgrade` for a WebSocket handshake */
  upgrade?: string;
}

function append(prev: string | string[] | undefined, v: string): string {
  const p = Array.isArray(prev) ? prev.join(', ') : prev;
  return p === undefined || p === '' ? v : `${p}, ${v}`;
}

/** Pure: the request headers a pod receives. */
export function requestHeadersForPod(h: IncomingHttpHeaders, ctx: ForwardContext): OutgoingHttpHeaders {
  const out = stripHopByHop(h);
  if (ctx.clientIp !== undefined) out['x-forwarded-for'] = append(h['x-forwarded-for'], ctx.clientIp);
  if (h['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = ctx.proto;
  if (h['x-forwarded-host'] === undefined && h.host !== undefined) out['x-forwarded-host'] = h.host;
  delete out[ctx.proxiedHeader.name];
  if (ctx.proxiedHeader.set) out[ctx.proxiedHeader.name] = ctx.proxiedHeader.value;
  if (ctx.upgrade !== undefined) {
    out['connection'] = 'upgrade';
    out['upgrade'] = ctx.upgrade;
  }
  return out;
}

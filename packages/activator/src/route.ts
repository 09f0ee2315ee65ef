/** Which revision a request is for: Knative's headers first, else the Host `<revision>.<namespace>.<domain>`. */
export interface RevisionRef {
  namespace: string;
  revision: string;
}

export type RouteResult = { ok: true; ref: RevisionRef; via: 'headers' | 'host' } | { ok: false; reason: string };

export const NAMESPACE_HEADER = 'knative-serving-namespace';
export const REVISION_HEADER = 'knative-serving-revision';

// RFC 1123 label, as Kubernetes names namespaces and (Knative) revisions.
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function firstHeader(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

/** `host[:port]` → lower-case host without port and trailing dot; undefined for IPv6 literals or empty. */
export function hostWithoutPort(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  let h = host.trim().toLowerCase();
  if (h === '' || h.startsWith('[')) return undefined;
  const colon = h.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d*$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h === '' ? undefined : h;
}

function fromHeaders(ns: string | undefined, rev: string | undefined): RouteResult | undefined {
  if (ns === undefined && rev === undefined) return undefined;
  if (ns === undefined || rev === undefined) {
    const missing = ns === undefined ? 'Knative-Serving-Namespace' : 'Knative-Serving-Revision';
    return { ok: false, reason: `header ${missing} is missing (both Knative-Serving-Namespace and Knative-Serving-Revision are needed)` };
  }
  if (!LABEL.test(ns) || !LABEL.test(rev)) {
    return { ok: false, reason: `headers name namespace "${ns}" and revision "${rev}", which are not valid DNS labels` };
  }
  return { ok: true, ref: { namespace: ns, revision: rev }, via: 'headers' };
}

function fromHost(rawHost: string | undefined, domain: string): RouteResult {
  const expected = `expected Host <revision>.<namespace>.${domain} or the Knative-Serving-Namespace and Knative-Serving-Revision headers`;
  const host = hostWithoutPort(rawHost);
  const suffix = `.${domain.toLowerCase()}`;
  if (host === undefined || !host.endsWith(suffix)) {
    return { ok: false, reason: `no revision for Host "${rawHost ?? ''}": ${expected}` };
  }
  const labels = host.slice(0, -suffix.length).split('.');
  const [revision, namespace] = labels;
  if (labels.length !== 2 || revision === undefined || namespace === undefined || !LABEL.test(revision) || !LABEL.test(namespace)) {
    return { ok: false, reason: `no revision for Host "${rawHost ?? ''}": ${expected}` };
  }
  return { ok: true, ref: { namespace, revision }, via: 'host' };
}

/** Pure: the revision a request names, or why it names none. */
export function parseRoute(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  domain: string,
): RouteResult {
  const byHeaders = fromHeaders(firstHeader(headers[NAMESPACE_HEADER]), firstHeader(headers[REVISION_HEADER]));
  return byHeaders ?? fromHost(firstHeader(headers['host']), domain);
}

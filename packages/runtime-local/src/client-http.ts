// One JSON request to the runtime API over node:http, answers parsed with zod, failures typed.
import { Agent, request, type IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { RuntimeApiError } from './client-errors.js';
import { errorBodySchema } from './server-api.js';

export interface HttpTarget {
  base: URL;
  agent: Agent;
  timeoutMs: number;
}

export function makeTarget(url: string, timeoutMs: number): HttpTarget {
  const base = new URL(url);
  if (base.protocol !== 'http:') throw new RuntimeApiError('API_INVALID', `runtime API url ${JSON.stringify(url)}: must start with http://`);
  return { base, agent: new Agent({ keepAlive: true, maxSockets: 16 }), timeoutMs };
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

function failure(status: number, text: string, what: string): RuntimeApiError {
  let parsed: ReturnType<typeof errorBodySchema.safeParse> | undefined;
  try {
    parsed = errorBodySchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  const e = parsed?.success ? parsed.data.error : undefined;
  const message = `${what}: ${status} ${e?.message ?? text.slice(0, 200)}`;
  const details = { status, ...(e ? { serverCode: e.code } : {}), ...(e?.field !== undefined ? { field: e.field } : {}) };
  if (status === 404) return new RuntimeApiError('API_NOT_FOUND', message, details);
  if (status === 400) return new RuntimeApiError('API_INVALID', message, details);
  return new RuntimeApiError('API_FAILED', message, details);
}

function send(t: HttpTarget, method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const what = `${method} ${path}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.base.hostname.replace(/^\[|\]$/g, ''),
        port: t.base.port,
        path,
        method,
        agent: t.agent,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        readAll(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject);
      },
    );
    req.setTimeout(t.timeoutMs, () => req.destroy(new Error(`no answer within ${t.timeoutMs} ms`)));
    req.on('error', (err) => reject(new RuntimeApiError('API_UNREACHABLE', `${what} to ${t.base.origin}: ${err.message}`, {}, { cause: err })));
    req.end(payload);
  });
}

/** Sends `body` as JSON, parses a 2xx answer with `schema`; any failure is a RuntimeApiError. */
export async function requestJson<S extends z.ZodType>(t: HttpTarget, method: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
  const { status, text } = await send(t, method, path, body);
  if (status < 200 || status >= 300) throw failure(status, text, `${method} ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RuntimeApiError('API_BAD_RESPONSE', `${method} ${path}: answer is not JSON`, { status }, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RuntimeApiError('API_BAD_RESPONSE', `${method} ${path}: unexpected answer: ${parsed.error.issues[0]?.message ?? '?'}`, { status });
  return parsed.data;
}

export function revisionPath(namespace: string, revision: string, rest = ''): string {
  return `/v1/revisions/${encodeURIComponent(namespace)}/${encodeURIComponent(revision)}${rest}`;
}

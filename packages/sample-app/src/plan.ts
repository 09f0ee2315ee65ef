/** What one request gets: decided purely from the URL, the config and injected randomness. */
export interface ResponsePlan {
  status: 200 | 400 | 500;
  /** Wait this long (latency + jitter) before answering. */
  delayMs: number;
  /** Then busy-work this long. */
  cpuMs: number;
  body: string;
}

export interface Behaviour {
  podName: string;
  latencyMs: number;
  jitterMs: number;
  cpuMs: number;
  failureRate: number;
}

const MAX_PARAM_MS = 600_000;

type ParamResult = { ok: true; value: number | undefined } | { ok: false; error: string };

function msParam(params: URLSearchParams, name: string): ParamResult {
  const raw = params.get(name);
  if (raw === null) return { ok: true, value: undefined };
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > MAX_PARAM_MS) {
    return { ok: false, error: `query ${name}=${JSON.stringify(raw)}: must be a number of ms in 0..${MAX_PARAM_MS}` };
  }
  return { ok: true, value };
}

/**
 * Plans the response to a request for `url` (path + query, as node:http gives it).
 * `?latency=<ms>` and `?cpu=<ms>` override the configured values for this request.
 * Randomness: the first draw decides failure (draw < failureRate → 500), the second the jitter.
 */
export function planResponse(url: string | undefined, b: Behaviour, random: () => number): ResponsePlan {
  const params = new URL(url ?? '/', 'http://sample-app.invalid').searchParams;
  const latency = msParam(params, 'latency');
  const cpu = msParam(params, 'cpu');
  if (!latency.ok || !cpu.ok) {
    const error = !latency.ok ? latency.error : !cpu.ok ? cpu.error : '';
    return { status: 400, delayMs: 0, cpuMs: 0, body: `${error}\n` };
  }
  const failed = b.failureRate > 0 && random() < b.failureRate;
  const jitterMs = b.jitterMs > 0 ? random() * b.jitterMs : 0;
  return {
    status: failed ? 500 : 200,
    delayMs: (latency.value ?? b.latencyMs) + jitterMs,
    cpuMs: cpu.value ?? b.cpuMs,
    body: failed ? `injected failure from ${b.podName}\n` : `hello from ${b.podName}\n`,
  };
}

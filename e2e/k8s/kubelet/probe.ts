// Readiness probes as the kubelet runs them: httpGet (http/https, headers) or tcpSocket against the
// pod IP. Parsing is pure; `runProbe` does the I/O and never rejects.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export type ProbeTarget =
  | { kind: 'http'; https: boolean; host: string; port: number; path: string; headers: ReadonlyArray<readonly [string, string]> }
  | { kind: 'tcp'; host: string; port: number };

export interface ProbePlan {
  target: ProbeTarget;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The kubelet's defaults (periodSeconds 10, timeoutSeconds 1, thresholds 1 and 3). */
const DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

function resolvePort(port: number | string | undefined, container: V1Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function target(probe: V1Probe, container: V1Container, podIP: string): ProbeTarget | { error: string } {
  if (probe.httpGet !== undefined) {
    const g = probe.httpGet;
    const port = resolvePort(g.port as number | string, container);
    if (port === undefined) return { error: `httpGet.port ${JSON.stringify(g.port)} names no port of container ${container.name}` };
    const path = g.path === undefined || g.path === '' ? '/' : g.path.startsWith('/') ? g.path : `/${g.path}`;
    const headers = (g.httpHeaders ?? []).map((h) => [h.name, h.value] as const);
    return { kind: 'http', https: (g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS', host: g.host || podIP, port, path, headers };
  }
  if (probe.tcpSocket !== undefined) {
    const port = resolvePort(probe.tcpSocket.port as number | string, container);
    if (port === undefined) return { error: `tcpSocket.port ${JSON.stringify(probe.tcpSocket.port)} names no port of container ${container.name}` };
    return { kind: 'tcp', host: probe.tcpSocket.host || podIP, port };
  }
  return { error: 'only httpGet and tcpSocket probes are supported by the process-kubelet' };
}

/** A container's readiness probe as a plan, `undefined` when it has none, or why it cannot run. */
export function readinessPlan(container: V1Container, podIP: string): ProbePlan | undefined | { error: string } {
  const probe = container.readinessProbe;
  if (probe === undefined) return undefined;
  const t = target(probe, container, podIP);
  if ('error' in t) return t;
  const s = (v: number | undefined, d: number): number => (v === undefined || v <= 0 ? d : v);
  return {
    target: t,
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: s(probe.periodSeconds, DEFAULTS.periodSeconds) * 1000,
    timeoutMs: s(probe.timeoutSeconds, DEFAULTS.timeoutSeconds) * 1000,
    successThreshold: s(probe.successThreshold, DEFAULTS.successThreshold),
    failureThreshold: s(probe.failureThreshold, DEFAULTS.failureThreshold),
  };
}

function tcpProbe(t: Extract<ProbeTarget, { kind: 'tcp' }>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: t.host, port: t.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function httpProbe(t: Extract<ProbeTarget, { kind: 'http' }>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/process-kubelet', accept: '*/*' };
    for (const [name, value] of t.headers) headers[name.toLowerCase()] = value;
    const options = { host: t.host, port: t.port, path: t.path, method: 'GET', headers, agent: false as const, timeout: timeoutMs };
    // Like the kubelet: an HTTPS probe does not verify the certificate.
    const req = t.https ? httpsRequest({ ...options, rejectUnauthorized: false }) : httpRequest(options);
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(ok);
    };
    req.once('response', (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      done(code >= 200 && code < 400);
    });
    req.once('timeout', () => done(false));
    req.once('error', () => done(false));
    req.end();
  });
}

/** One probe: true = success. Never rejects. */
export function runProbe(t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return t.kind === 'tcp' ? tcpProbe(t, timeoutMs) : httpProbe(t, timeoutMs);
}

import { request } from 'node:http';
import { connect } from 'node:net';
import type { ProbeTarget } from './env.js';

/** What the queue-proxy sends as User-Agent when probing, like the kubelet's `kube-probe/<version>`. */
export const PROBE_USER_AGENT = 'kube-probe/kpa-ts';

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function httpProbe(target: Extract<ProbeTarget, { kind: 'http' }>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const headers: string[] = ['User-Agent', PROBE_USER_AGENT];
    for (const [name, value] of target.headers) headers.push(name, value);
    if (!target.headers.some(([name]) => name.toLowerCase() === 'host')) headers.push('Host', `${target.host}:${target.port}`);
    const req = request({ host: target.host, port: target.port, path: target.path, method: 'GET', headers, agent: false });
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      // Kubernetes: any code in [200, 400) is a success.
      done(status >= 200 && status < 400);
    });
    req.once('error', () => done(false));
    req.end();
  });
}

/** One probe of the user container, as the kubelet would do it: true = healthy. Never rejects. */
export function probeOnce(target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return target.kind === 'tcp' ? tcpProbe(target.host, target.port, timeoutMs) : httpProbe(target, timeoutMs);
}

import { request } from 'node:http';

/**
 * One readiness probe of a queue-proxy, like Knative's: GET / with `K-Network-Probe: queue`.
 * Ready means a 2xx answer within `timeoutMs` (the queue-proxy answers 200 "queue" when its user
 * container is ready, 503 otherwise). Never rejects.
 */
export function probeQueueProxy(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const req = request(
      { host, port, path: '/', method: 'GET', agent: false, headers: { 'k-network-probe': 'queue', 'user-agent': 'kpa-ts-runtime-local/probe' } },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        finish(status >= 200 && status < 300);
      },
    );
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    }
    req.on('error', () => finish(false));
    req.end();
  });
}

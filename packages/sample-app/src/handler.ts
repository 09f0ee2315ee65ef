import { planResponse, type Behaviour } from './plan.js';

/** The parts of node:http's request the handler uses (so tests can pass plain objects). */
export interface RequestLike {
  url?: string | undefined;
  resume(): unknown;
}

/** The parts of node:http's response the handler uses. */
export interface ResponseLike {
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body: string): unknown;
}

export interface HandlerDeps {
  behaviour: Behaviour;
  /** Uniform in [0, 1): Math.random in main, a fixed sequence in tests. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Busy work for `ms` (blocks the event loop on purpose). */
  burnCpu: (ms: number) => void;
  /** Extra response headers (e.g. `connection: close` while draining). */
  extraHeaders?: () => Record<string, string>;
}

/** Busy-waits `ms` milliseconds of wall time, like a CPU-bound request handler. */
export function burnCpu(ms: number, now: () => number = () => performance.now()): void {
  const end = now() + ms;
  let x = 0;
  while (now() < end) x += 1;
  if (x < 0) throw new Error('unreachable');
}

/** Builds the request handler: plan, wait, work, answer. Never throws. */
export function createHandler(deps: HandlerDeps): (req: RequestLike, res: ResponseLike) => Promise<void> {
  return async (req, res) => {
    req.resume(); // the body is not used; drain it so keep-alive works
    const plan = planResponse(req.url, deps.behaviour, deps.random);
    if (plan.delayMs > 0) await deps.sleep(plan.delayMs);
    if (plan.cpuMs > 0) deps.burnCpu(plan.cpuMs);
    if (res.destroyed) return;
    res.writeHead(plan.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(plan.body),
      'x-pod': deps.behaviour.podName,
      ...deps.extraHeaders?.(),
    });
    res.end(plan.body);
  };
}

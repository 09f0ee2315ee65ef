import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SampleAppConfig } from './env.js';
import { burnCpu, createHandler } from './handler.js';

export interface SampleApp {
  readonly address: AddressInfo;
  /** Requests being handled right now. */
  readonly inFlight: number;
  /**
   * Stops accepting, lets in-flight requests finish (answering them with `Connection: close`),
   * then resolves; connections still open after `shutdownTimeoutMs` are cut.
   */
  drain(): Promise<void>;
}

export interface SampleAppDeps {
  random: () => number;
  onError?: (err: unknown) => void;
  /** Called as each request arrives. */
  onRequest?: (method: string | undefined, url: string | undefined) => void;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Waits `startDelayMs`, then listens on host:port and serves until `drain()`. */
export async function startSampleApp(cfg: SampleAppConfig, deps: SampleAppDeps): Promise<SampleApp> {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  const handler = createHandler({
    behaviour: cfg,
    random: deps.random,
    sleep: (ms) => sleep(ms),
    burnCpu: (ms) => burnCpu(ms),
    extraHeaders: (): Record<string, string> => (draining ? { connection: 'close' } : {}),
  });
  const server = createServer((req, res) => {
    inFlight += 1;
    deps.onRequest?.(req.method, req.url);
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
    handler(req, res).catch((err: unknown) => deps.onError?.(err));
  });
  if (cfg.startDelayMs > 0) await sleep(cfg.startDelayMs);
  const address = await listen(server, cfg.port, cfg.host);
  const drain = async (): Promise<void> => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const finished = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
    const deadline = sleep(cfg.shutdownTimeoutMs, undefined, { ref: false });
    await Promise.race([finished, deadline]);
    server.closeAllConnections();
    await closed;
  };
  return {
    address,
    get inFlight() {
      return inFlight;
    },
    drain,
  };
}

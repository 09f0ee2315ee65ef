// Shared by the runtime's integration suites (not a test file itself).
import { waitFor } from '@kpa-ts/testkit';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalRuntime, PodInfo, PodSetEvent, RevisionTemplate } from '@kpa-ts/runtime-local';

export const SAMPLE_APP = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));
export const FAKE_QUEUE_PROXY = fileURLToPath(new URL('./fixtures/fake-queue-proxy.mjs', import.meta.url));
export const REAL_QUEUE_PROXY = fileURLToPath(new URL('../../queue-proxy/dist/main.js', import.meta.url));

export function requireSampleApp(): void {
  if (!existsSync(SAMPLE_APP)) throw new Error(`${SAMPLE_APP} is missing: run \`npx tsc -b packages/sample-app\` (or pnpm build) first`);
}

/** A /24 of loopback addresses for one suite, away from the default 127.1.0.0/16. */
export function testIpRange(): string {
  return `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
}

export function template(revision: string, appEnv: Record<string, string> = {}, cc = 0): RevisionTemplate {
  return {
    namespace: 'test',
    revision,
    containerConcurrency: cc,
    timeoutSeconds: 30,
    app: { command: process.execPath, args: [SAMPLE_APP], env: { LOG_REQUESTS: '1', ...appEnv } },
  };
}

export interface HttpResult {
  status: number;
  body: string;
}

export function httpGet(host: string, port: number, path = '/'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** process.kill(pid, 0): true while the process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function pidsOf(pods: readonly PodInfo[]): number[] {
  return pods.flatMap((p) => [p.pids?.app, p.pids?.queueProxy]).filter((p): p is number => p !== undefined);
}

/** Records every event; `readyCounts()` is the ready count after each event of one revision. */
export function recordEvents(rt: LocalRuntime) {
  const events: PodSetEvent[] = [];
  const stop = rt.watch((e) => events.push(e));
  return {
    events,
    stop,
    readyCounts: (revision: string) => events.filter((e) => e.revision === revision).map((e) => e.pods.filter((p) => p.ready).length),
  };
}

export async function waitReady(rt: LocalRuntime, revision: string, n: number, timeoutMs = 15_000): Promise<PodInfo[]> {
  await waitFor(() => rt.readyCount('test', revision) === n && rt.pods('test', revision).length === n, {
    timeoutMs,
    what: `${n} ready pods of ${revision} (have ${JSON.stringify(rt.pods('test', revision).map((p) => [p.name, p.phase]))})`,
  });
  return rt.pods('test', revision);
}

export function appLog(rt: LocalRuntime, pod: PodInfo): string {
  const file = join(rt.logDir, `${pod.namespace}_${pod.name}_app.log`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The `code` of what `fn` throws (undefined when it does not throw). */
export function thrownCode(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return (err as { code?: unknown }).code;
  }
  return undefined;
}

// Test support for the Kubernetes integration suites: a real control plane (scripts/control-plane,
// etcd + kube-apiserver + kube-controller-manager on 127.0.0.1) per suite, and a TCP proxy in front
// of the apiserver that a test can cut and restore (TLS goes through it end to end).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@kpa-ts/testkit';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/control-plane', import.meta.url));

export interface Plane {
  kubeconfig: string;
  apiServer: string;
  kubeConfig(): KubeConfig;
  /**
   * Kills the kube-apiserver (SIGKILL, a crash) and starts it again with the same command line (its watch
   * cache starts empty: a watch resuming from an older resourceVersion gets 410 Gone). The new pid
   * goes to the plane's pid file, so `stop()` still stops it.
   */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

/** Running (a zombie waiting for a parent that may never reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export async function startPlane(): Promise<Plane> {
  const dir = mkdtempSync(join(tmpdir(), 'kpa-cp-k8s2-'));
  const { stdout } = await run(SCRIPT, ['up', '--json', '--dir', dir], { encoding: 'utf8', timeout: 120_000 });
  const state = JSON.parse(stdout) as { kubeconfig: string; apiServer: string };
  return {
    kubeconfig: state.kubeconfig,
    apiServer: state.apiServer,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(state.kubeconfig);
      return kc;
    },
    async restartApiServer() {
      const pidFile = join(dir, 'pids', 'kube-apiserver.pid');
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (basename(readlinkSync(`/proc/${pid}/exe`)) !== 'kube-apiserver') throw new Error(`pid ${pid} is not this plane's kube-apiserver`);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      // SIGKILL: a crash. (SIGTERM would wait for the open watches to end, 20 s+ here.)
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !alive(pid), { timeoutMs: 10_000, what: 'kube-apiserver killed' });
      const log = openSync(join(dir, 'logs', 'kube-apiserver.log'), 'a');
      const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
      child.unref();
      writeFileSync(pidFile, `${child.pid ?? ''}\n`);
      const kc = new KubeConfig();
      kc.loadFromFile(state.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      await waitFor(async () => (await core.listNamespace()).items.length > 0, { timeoutMs: 60_000, intervalMs: 100, what: 'kube-apiserver serving again' });
    },
    async stop() {
      await run(SCRIPT, ['down', '--dir', dir], { timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A copy of `kc` whose cluster server is `server` (e.g. a proxy on another port of 127.0.0.1). */
export function withServer(kc: KubeConfig, server: string): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

export interface CuttableProxy {
  url: string;
  /** Stops accepting and resets every open connection. */
  cut(): Promise<void>;
  /** Accepts again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `target` (https://127.0.0.1:port). */
export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  const make = (): Server =>
    createServer((client) => {
      const upstream = connect(Number(t.port), t.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  let server = make();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const closeServer = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return {
    url: `https://127.0.0.1:${port}`,
    async cut() {
      const closed = closeServer();
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
    async restore() {
      server = make();
      await listen(port);
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await closeServer();
    },
  };
}

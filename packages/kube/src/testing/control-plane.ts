// A real control plane for a test suite: scripts/control-plane (etcd + kube-apiserver +
// kube-controller-manager on 127.0.0.1, no kubelet) in a fresh directory. The binaries must be
// built (scripts/setup runs `scripts/control-plane build`).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@kpa-ts/testkit';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

const run = promisify(execFile);
// src/testing/ and dist/testing/ are both four levels below the repository root.
const SCRIPT = fileURLToPath(new URL('../../../../scripts/control-plane', import.meta.url));

/** What `scripts/control-plane up --json` prints. */
const planeStateSchema = z.object({
  dir: z.string(),
  kubeconfig: z.string(),
  apiServer: z.string().url(),
  caFile: z.string(),
  clientCertFile: z.string(),
  clientKeyFile: z.string(),
  version: z.string(),
  logs: z.string(),
  startupSeconds: z.record(z.string(), z.number()),
});
export type PlaneState = z.infer<typeof planeStateSchema>;

export interface Plane {
  readonly state: PlaneState;
  /** Path of the admin kubeconfig (system:masters). */
  kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  apiServer: string;
  /** A client config loaded from `kubeconfig`, and admin clients made from it. */
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /**
   * Kills the kube-apiserver (SIGKILL, a crash) and starts it again with the same command line (its
   * watch cache starts empty: a watch resuming from an older resourceVersion gets 410 Gone). The new
   * pid goes to the plane's pid file, so `stop()` still stops it.
   */
  restartApiServer(): Promise<void>;
  /** Creates a namespace with a random name (`<prefix>-<8 hex>`) and returns the name. */
  newNamespace(prefix?: string): Promise<string>;
  /** Runs `fn` when the plane stops, before its processes (all together, failures ignored): stop informers, close proxies. */
  onStop(fn: () => unknown): void;
  /** Runs the onStop functions, stops the processes and removes the directory (kept when KPA_KEEP_CP=1). */
  stop(): Promise<void>;
}

/** Running (a zombie waiting for a parent that may never reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function loadKubeconfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

async function restartApiServer(dir: string, kubeconfig: string): Promise<void> {
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
  const core = loadKubeconfig(kubeconfig).makeApiClient(CoreV1Api);
  try {
    await waitFor(async () => (await core.listNamespace()).items.length > 0, { timeoutMs: 60_000, intervalMs: 100, what: 'kube-apiserver serving again' });
  } catch (err) {
    // Say why: the restarted apiserver's own last words (a flake seen in CI-like runs, cause unknown).
    const tail = readFileSync(join(dir, 'logs', 'kube-apiserver.log'), 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${(err as Error).message}; restarted pid ${child.pid ?? '?'} alive: ${child.pid ? alive(child.pid) : false}; log tail:\n${tail}`, { cause: err });
  }
}

/** Whether the control-plane binaries are in the cache (`scripts/control-plane build` done). */
export async function planeBinariesBuilt(): Promise<boolean> {
  const { stdout } = await run(SCRIPT, ['env', '--json'], { encoding: 'utf8' });
  const bin = z.object({ bin: z.string() }).parse(JSON.parse(stdout)).bin;
  return ['kube-apiserver', 'etcd', 'kube-controller-manager'].every((b) => {
    try {
      return (statSync(join(bin, b)).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/** Starts a plane in a fresh temporary directory (a few seconds); if this process exits first, the plane goes with it. */
export async function startPlane(): Promise<Plane> {
  if (!(await planeBinariesBuilt())) throw new Error('control-plane binaries are missing: run `scripts/control-plane build` (scripts/setup does it)');
  const dir = mkdtempSync(join(tmpdir(), 'kpa-cp-kube-'));
  const onExit = (): void => {
    try {
      execFileSync(SCRIPT, ['down', '--dir', dir], { stdio: 'ignore' });
    } catch {
      // exiting anyway
    }
  };
  process.on('exit', onExit);
  let stdout: string;
  try {
    ({ stdout } = await run(SCRIPT, ['up', '--json', '--dir', dir], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 20 }));
  } catch (err) {
    onExit(); // whatever did start
    process.off('exit', onExit);
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    throw new Error(`scripts/control-plane up failed: ${stderr.trim().split('\n').slice(-15).join('\n')}`, { cause: err });
  }
  const state = planeStateSchema.parse(JSON.parse(stdout));
  const kubeConfig = loadKubeconfig(state.kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const cleanups: (() => unknown)[] = [];
  let stopped = false;
  return {
    state,
    kubeconfig: state.kubeconfig,
    apiServer: state.apiServer,
    kubeConfig,
    core,
    apps: kubeConfig.makeApiClient(AppsV1Api),
    onStop: (fn) => void cleanups.push(fn),
    restartApiServer: () => restartApiServer(dir, state.kubeconfig),
    async newNamespace(prefix = 't') {
      const name = `${prefix}-${randomBytes(4).toString('hex')}`;
      await core.createNamespace({ body: { metadata: { name } } });
      return name;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled(cleanups.map(async (fn) => fn()));
      // A failed `down` keeps the directory and the exit hook, which tries again.
      await run(SCRIPT, ['down', '--dir', dir], { timeout: 60_000 });
      process.off('exit', onExit);
      if (process.env['KPA_KEEP_CP'] !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
}

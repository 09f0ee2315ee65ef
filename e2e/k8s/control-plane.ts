// A real control plane (etcd + kube-apiserver + kube-controller-manager, see
// docs/control-plane.md) for one test suite: `startControlPlane()` runs
// `scripts/control-plane up --json --dir <tmp>`, `stop()` runs `down` and removes the directory.
// The binaries must be built (scripts/setup runs `scripts/control-plane build`).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

const run = promisify(execFile);
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SCRIPT = join(REPO_ROOT, 'scripts', 'control-plane');

const StateSchema = z.object({
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
export type ControlPlaneState = z.infer<typeof StateSchema>;

export interface ControlPlane {
  readonly state: ControlPlaneState;
  /** Path of the admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  readonly apiServer: string;
  /** A client config loaded from `kubeconfig`. */
  readonly kubeConfig: KubeConfig;
  /** Stops the three processes and removes the directory (kept when KPA_KEEP_CP=1). */
  stop(): Promise<void>;
}

/** Whether the control-plane binaries are in the cache (scripts/control-plane build done). */
export async function controlPlaneBuilt(): Promise<boolean> {
  const { stdout } = await run(SCRIPT, ['env', '--json']);
  const bin = z.object({ bin: z.string() }).parse(JSON.parse(stdout)).bin;
  try {
    await run('test', ['-x', join(bin, 'kube-apiserver'), '-a', '-x', join(bin, 'etcd'), '-a', '-x', join(bin, 'kube-controller-manager')]);
    return true;
  } catch {
    return false;
  }
}

/** Starts a plane in a fresh temporary directory (~4 s). */
export async function startControlPlane(): Promise<ControlPlane> {
  if (!(await controlPlaneBuilt())) {
    throw new Error('control-plane binaries are missing: run `scripts/control-plane build` (scripts/setup does it)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'kpa-cp-'));
  // If this process dies before stop(), take the plane down with it (sync: works in 'exit').
  const onExit = (): void => {
    try {
      execFileSync(SCRIPT, ['down', '--dir', dir], { stdio: 'ignore' });
    } catch {
      // nothing more to do while exiting
    }
  };
  process.on('exit', onExit);
  let stdout: string;
  try {
    ({ stdout } = await run(SCRIPT, ['up', '--json', '--dir', dir], { maxBuffer: 1 << 20 }));
  } catch (err) {
    process.off('exit', onExit);
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/control-plane up failed: ${stderr.trim().split('\n').slice(-15).join('\n')}`, { cause: err });
  }
  const state = StateSchema.parse(JSON.parse(stdout));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  let stopped = false;
  return {
    state,
    kubeconfig: state.kubeconfig,
    apiServer: state.apiServer,
    kubeConfig,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await run(SCRIPT, ['down', '--dir', dir]).catch(() => {});
      process.off('exit', onExit);
      if (process.env['KPA_KEEP_CP'] !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
}

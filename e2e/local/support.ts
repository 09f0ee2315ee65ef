// Shared by the local e2e suites (not a test file): the stack with a short, Knative-shaped config,
// app deploys, a recorder of the revision's pods/replicas/mode over time.
import { deployApp, startStack, type AppOptions, type DeployedApp, type Stack } from '@kpa-ts/cli';
import { createDecisionWatcher, type DecisionRecord, type DecisionWatcher } from '@kpa-ts/bus';
import type { PodInfo, RuntimeWatcher } from '@kpa-ts/runtime-local';
import { waitFor } from '@kpa-ts/testkit';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NEEDED = ['runtime-local', 'autoscaler', 'activator', 'queue-proxy', 'sample-app'].map((p) => join(ROOT, 'packages', p, 'dist', 'main.js'));

/** The binaries the stack spawns must be built (`pnpm build`; scripts/test does it). */
export function requireBuilt(): void {
  const missing = NEEDED.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`build first (pnpm build): missing ${missing.join(', ')}`);
}

/**
 * Short windows so a 0→N→0 cycle takes seconds: stable window 10 s with a 40 % panic window (4 s;
 * Knative's 10 % of 10 s would round to a 1 s panic window, which reads 0 between stats), grace 2 s.
 */
export const SHORT_CONFIG: Record<string, string> = {
  'stable-window': '10s',
  'panic-window-percentage': '40',
  'scale-to-zero-grace-period': '2s',
  'allow-zero-initial-scale': 'true',
};

export async function startE2eStack(name: string, extra: { autoscalers?: number; leaseTtlMs?: number } = {}): Promise<Stack> {
  requireBuilt();
  const logDir = mkdtempSync(join(tmpdir(), `kpa-e2e-${name}-`));
  return startStack({ logDir, autoscalers: extra.autoscalers ?? 1, config: SHORT_CONFIG, terminationGraceMs: 5_000, ...(extra.leaseTtlMs ? { leaseTtlMs: extra.leaseTtlMs } : {}) });
}

/** The sample app with a latency that makes the pods (not this machine's CPUs) the bottleneck. */
export function deploy(stack: Stack, revision: string, o: Partial<AppOptions> = {}): Promise<DeployedApp> {
  return deployApp(stack, { namespace: 'e2e', revision, containerConcurrency: 50, maxScale: 3, latencyMs: 500, ...o });
}

export interface Point {
  atMs: number;
  ready: number;
  replicas: number;
  pods: number;
}

/** Every change of one revision's pods, replicas and mode, with times. */
export class RevisionRecorder {
  readonly points: Point[] = [];
  readonly modes: Array<{ atMs: number; mode: DecisionRecord['mode']; ready: number }> = [];
  readonly #watch: RuntimeWatcher;
  readonly #decisions: DecisionWatcher;
  #pods: PodInfo[] = [];
  #replicas = 0;

  constructor(stack: Stack, app: DeployedApp) {
    const mine = (ns: string, rev: string): boolean => ns === app.namespace && rev === app.revision;
    const push = (): void => {
      this.points.push({ atMs: Date.now(), ready: this.ready, replicas: this.#replicas, pods: this.#pods.length });
    };
    this.#watch = stack.client.watch({
      revisionUpserted: (r) => {
        if (!mine(r.namespace, r.revision)) return;
        this.#replicas = r.replicas;
        push();
      },
      podsChanged: (ns, rev, pods) => {
        if (!mine(ns, rev)) return;
        this.#pods = pods;
        push();
      },
    });
    this.#decisions = createDecisionWatcher({
      redisUrl: stack.redisUrl,
      onDecision: (d) => {
        if (mine(d.ns, d.rev) && this.modes.at(-1)?.mode !== d.mode) this.modes.push({ atMs: Date.now(), mode: d.mode, ready: d.ready });
      },
    });
  }

  async start(): Promise<void> {
    this.#watch.start();
    this.#decisions.start();
    await this.#watch.whenSynced(10_000);
    await this.#decisions.whenSynced(10_000);
  }

  get ready(): number {
    return this.#pods.filter((p) => p.ready).length;
  }

  get pods(): PodInfo[] {
    return this.#pods;
  }

  get replicas(): number {
    return this.#replicas;
  }

  get mode(): DecisionRecord['mode'] | undefined {
    return this.modes.at(-1)?.mode;
  }

  get atZero(): boolean {
    return this.#replicas === 0 && this.#pods.length === 0;
  }

  max(key: 'ready' | 'replicas' | 'pods'): number {
    return this.points.reduce((m, p) => Math.max(m, p[key]), 0);
  }

  async waitAtZero(timeoutMs: number): Promise<void> {
    await waitFor(() => this.atZero, { timeoutMs, intervalMs: 100, what: `revision back at zero (now ${this.#replicas} replicas, ${this.#pods.length} pods)` });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.#watch.stop(), this.#decisions.stop()]);
  }
}

/** One line in the test output (jest shows console output of passing tests too). */
export function report(what: string, values: Record<string, unknown>): void {
  process.stdout.write(`[e2e] ${what}: ${JSON.stringify(values)}\n`);
}

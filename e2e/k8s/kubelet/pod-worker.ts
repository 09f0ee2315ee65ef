// One Pod on this node: its IP, its containers as processes, its status in the apiserver, and its
// end (SIGTERM, grace, SIGKILL, then the final delete with grace 0).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { AddressPool } from './address-pool.js';
import type { BackoffOptions, ContainerEvent, RestartPolicy, StopResult } from './container-process.js';
import { ContainerProcess } from './container-process.js';
import type { ImageTable } from './images.js';
import { containerArgv, lookupImage } from './images.js';
import { containerEnv } from './pod-env.js';
import type { ContainerView, PodCondition } from './pod-status.js';
import { buildPodStatus } from './pod-status.js';
import { readinessPlan } from './probe.js';

export interface KubeletLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface KubeletEvent extends Partial<Omit<ContainerEvent, 'type'>> {
  type: ContainerEvent['type'] | 'pod-started' | 'pod-terminating' | 'pod-deleted' | 'status-failed';
  namespace: string;
  pod: string;
  podIP?: string;
  stop?: StopResult;
  message?: string;
}

export interface PodWorkerDeps {
  api: CoreV1Api;
  pool: AddressPool;
  images: ImageTable;
  repoRoot: string;
  logDir: string;
  hostIP: string;
  baseEnv: Readonly<Record<string, string>>;
  backoff: BackoffOptions;
  logger: KubeletLogger;
  emit: (e: KubeletEvent) => void;
  now: () => Date;
}

/** A container the worker could not start: it waits with this reason, like a real kubelet. */
interface Blocked {
  name: string;
  image: string;
  reason: 'ErrImagePull' | 'CreateContainerConfigError';
  message: string;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function portsOf(c: V1Container): number[] {
  return (c.ports ?? []).map((p) => p.containerPort);
}

export class PodWorker {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly #deps: PodWorkerDeps;
  #pod: V1Pod;
  #podIP: string | undefined;
  #containers: ContainerProcess[] = [];
  #blocked: Blocked[] = [];
  #startTime: string;
  #conditions: PodCondition[] | undefined;
  #lastSent = '';
  #syncing = false;
  #dirty = false;
  #terminating: Promise<void> | undefined;
  #starting: Promise<void> = Promise.resolve();
  #gone = false;
  #resolveDone: () => void = () => {};
  /** Resolves when the Pod has been terminated (its processes are gone). */
  readonly done: Promise<void> = new Promise((r) => (this.#resolveDone = r));

  constructor(pod: V1Pod, deps: PodWorkerDeps) {
    this.#pod = pod;
    this.#deps = deps;
    this.namespace = pod.metadata?.namespace ?? 'default';
    this.name = pod.metadata?.name ?? '';
    this.uid = pod.metadata?.uid ?? '';
    this.#startTime = deps.now().toISOString();
  }

  get podIP(): string | undefined {
    return this.#podIP;
  }

  get terminating(): boolean {
    return this.#terminating !== undefined;
  }

  /** Allocates the IP, starts every container (or records why it cannot), reports status. */
  start(): Promise<void> {
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const spec = this.#pod.spec;
    const containers = spec?.containers ?? [];
    const ports = containers.flatMap(portsOf);
    this.#podIP = await this.#deps.pool.allocate(ports.length > 0 ? ports : [8080]);
    const dir = resolve(this.#deps.logDir, `${this.namespace}_${this.name}_${this.uid}`);
    mkdirSync(dir, { recursive: true });
    const restartPolicy = (spec?.restartPolicy ?? 'Always') as RestartPolicy;
    for (const c of containers) this.#prepare(c, dir, restartPolicy);
    this.#deps.emit({ type: 'pod-started', namespace: this.namespace, pod: this.name, podIP: this.#podIP });
    if (this.#gone || this.#terminating !== undefined) return;
    for (const p of this.#containers) p.start();
    this.#changed();
  }

  #prepare(c: V1Container, dir: string, restartPolicy: RestartPolicy): void {
    const podIP = this.#podIP as string;
    const image = c.image ?? '';
    const entry = lookupImage(this.#deps.images, image);
    if (entry === undefined) {
      this.#blocked.push({ name: c.name, image, reason: 'ErrImagePull', message: `image ${JSON.stringify(image)} is not in the process-kubelet's image table` });
      return;
    }
    const env = containerEnv(this.#pod, c, { podIP, hostIP: this.#deps.hostIP }, {
      base: { ...this.#deps.baseEnv, HOSTNAME: this.name },
      image: entry.env?.({ podIP, podName: this.name, ports: portsOf(c) }) ?? {},
    });
    const plan = readinessPlan(c, podIP);
    if (!env.ok || (plan !== undefined && 'error' in plan)) {
      const message = env.ok ? `readinessProbe: ${(plan as { error: string }).error}` : env.message;
      this.#blocked.push({ name: c.name, image, reason: 'CreateContainerConfigError', message });
      return;
    }
    // cwd is the repo root, so the table's relative script paths resolve there.
    const argv = containerArgv(entry, c);
    const onEvent = (e: ContainerEvent): void => this.#deps.emit({ ...e, namespace: this.namespace, pod: this.name, podIP });
    this.#containers.push(
      new ContainerProcess(
        { name: c.name, image, argv, env: env.env, cwd: this.#deps.repoRoot, logFile: join(dir, `${c.name}.log`), readiness: plan, restartPolicy },
        this.#deps.backoff,
        { onChange: () => this.#changed(), onEvent, now: this.#deps.now },
      ),
    );
  }

  /** The latest object from the watch. A deletionTimestamp starts the termination. */
  update(pod: V1Pod): void {
    this.#pod = pod;
    if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) void this.terminate(true);
  }

  /**
   * SIGTERM to every container, SIGKILL after the grace period (deletionGracePeriodSeconds, else
   * terminationGracePeriodSeconds, else 30 s); then, when `deleteFromApi`, the final DELETE with
   * grace 0 (a bound Pod stays Terminating until its kubelet does that).
   */
  terminate(deleteFromApi: boolean): Promise<void> {
    this.#terminating ??= this.#terminate(deleteFromApi);
    return this.#terminating;
  }

  async #terminate(deleteFromApi: boolean): Promise<void> {
    const meta = this.#pod.metadata;
    await this.#starting.catch(() => {});
    const graceSeconds = meta?.deletionGracePeriodSeconds ?? this.#pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.#deps.emit({ type: 'pod-terminating', namespace: this.namespace, pod: this.name, ...(this.#podIP === undefined ? {} : { podIP: this.#podIP }) });
    const results = await Promise.all(this.#containers.map(async (c) => ({ c, r: await c.stop(graceSeconds * 1000) })));
    for (const { c, r } of results) {
      this.#deps.emit({ type: 'exited', namespace: this.namespace, pod: this.name, container: c.name, stop: r, exitCode: r.exitCode, signal: r.signal });
    }
    if (deleteFromApi) await this.#deleteFromApi();
    this.#gone = true;
    if (this.#podIP !== undefined) this.#deps.pool.release(this.#podIP);
    this.#deps.emit({ type: 'pod-deleted', namespace: this.namespace, pod: this.name });
    this.#resolveDone();
  }

  async #deleteFromApi(): Promise<void> {
    try {
      await this.#deps.api.deleteNamespacedPod({
        name: this.name,
        namespace: this.namespace,
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) this.#deps.logger.warn({ pod: `${this.namespace}/${this.name}`, err: String(err) }, 'final pod delete failed');
    }
  }

  /** SIGKILL everything now (kubelet shutdown); the Pod objects stay. */
  killNow(): void {
    this.#gone = true;
    for (const c of this.#containers) c.killNow();
    if (this.#podIP !== undefined) this.#deps.pool.release(this.#podIP);
    this.#resolveDone();
  }

  #views(): ContainerView[] {
    const started = this.#containers.map((c) => c.view());
    const waiting: ContainerView[] = this.#blocked.map((b) => ({
      name: b.name,
      image: b.image,
      state: { waiting: { reason: b.reason, message: b.message } },
      ready: false,
      started: false,
      restartCount: 0,
    }));
    const order = (this.#pod.spec?.containers ?? []).map((c) => c.name);
    return [...started, ...waiting].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }

  /** Something changed: patch the status (coalesced: one request in flight, the latest state wins). */
  #changed(): void {
    this.#dirty = true;
    if (!this.#syncing) void this.#sync();
  }

  async #sync(): Promise<void> {
    this.#syncing = true;
    while (this.#dirty && !this.#gone) {
      this.#dirty = false;
      const status = buildPodStatus({ podIP: this.#podIP, hostIP: this.#deps.hostIP, startTime: this.#startTime, containers: this.#views() }, this.#conditions, this.#deps.now().toISOString());
      const text = JSON.stringify(status);
      if (text === this.#lastSent) continue;
      try {
        await this.#deps.api.patchNamespacedPodStatus({ name: this.name, namespace: this.namespace, body: { status } }, MERGE_PATCH);
        this.#lastSent = text;
        this.#conditions = status['conditions'] as PodCondition[];
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) break;
        this.#deps.emit({ type: 'status-failed', namespace: this.namespace, pod: this.name, message: String(err) });
        this.#deps.logger.warn({ pod: `${this.namespace}/${this.name}`, err: String(err) }, 'status patch failed: retrying');
        await new Promise((r) => setTimeout(r, 500));
        this.#dirty = true;
      }
    }
    this.#syncing = false;
  }
}

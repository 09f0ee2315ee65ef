// The process-kubelet: registers a Node, schedules unbound Pods onto it (the binding
// subresource), runs the Pods bound to it as local processes (PodWorker) and keeps the Node's
// status fresh as a heartbeat. One watch over all Pods drives both roles.
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig, V1Node, V1NodeCondition, V1NodeStatus, V1Pod } from '@kubernetes/client-node';
import { CoreV1Api, ListWatch, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { AddressPool } from './address-pool.js';
import type { BackoffOptions } from './container-process.js';
import type { ImageTable } from './images.js';
import { DEFAULT_IMAGES } from './images.js';
import type { KubeletEvent, KubeletLogger } from './pod-worker.js';
import { PodWorker } from './pod-worker.js';

export interface KubeletOptions {
  kubeConfig: KubeConfig;
  /** Default `process-node`. */
  nodeName?: string;
  /** Pod IPs come from here (inside 127.0.0.0/8). Default 127.20.0.0/16. */
  podCIDR?: string;
  /** The Node's InternalIP and every Pod's hostIP. Default 127.0.0.1. */
  hostIP?: string;
  /** Where per-container logs go: `<logDir>/<ns>_<pod>_<uid>/<container>.log`. */
  logDir: string;
  /** Commands are run from here (relative script paths in the image table). Default: the repo root. */
  repoRoot?: string;
  images?: ImageTable;
  /** Added to every container's environment before the image's and the pod's (e.g. KUBECONFIG). */
  extraEnv?: Readonly<Record<string, string>>;
  /** Also bind unscheduled Pods to this node (default true). */
  schedule?: boolean;
  backoff?: Partial<BackoffOptions>;
  /** Node status heartbeat period. Default 10 s. */
  heartbeatMs?: number;
  logger?: KubeletLogger;
  /** Every container and pod event (tests watch for SIGTERMs and exits here). */
  onEvent?: (e: KubeletEvent) => void;
  now?: () => Date;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const silent: KubeletLogger = { debug: () => {}, info: () => {}, warn: () => {} };
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** Kept from the kubelet's own environment for every container. */
const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS'];

function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function baseEnv(extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export class ProcessKubelet {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly #opts: KubeletOptions;
  readonly #api: CoreV1Api;
  readonly #pool: AddressPool;
  readonly #workers = new Map<string, PodWorker>();
  readonly #binding = new Set<string>();
  readonly #logger: KubeletLogger;
  readonly #now: () => Date;
  #informer: ListWatch<V1Pod> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: KubeletOptions) {
    this.#opts = opts;
    this.nodeName = opts.nodeName ?? 'process-node';
    this.hostIP = opts.hostIP ?? '127.0.0.1';
    this.#api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.#pool = new AddressPool(opts.podCIDR ?? '127.20.0.0/16');
    this.#logger = opts.logger ?? silent;
    this.#now = opts.now ?? (() => new Date());
  }

  /** The worker of a running Pod (tests read its IP), by `namespace/name`. */
  pod(namespace: string, name: string): { podIP: string | undefined; terminating: boolean } | undefined {
    return this.#workers.get(`${namespace}/${name}`);
  }

  get runningPods(): number {
    return this.#workers.size;
  }

  /** Registers the Node, starts the heartbeat and the Pod watch; resolves after the first list. */
  async start(): Promise<void> {
    await this.#registerNode();
    const hb = this.#opts.heartbeatMs ?? 10_000;
    this.#heartbeat = setInterval(() => void this.#patchNodeStatus().catch((err: unknown) => this.#logger.warn({ err: String(err) }, 'node heartbeat failed')), hb);
    const informer = new ListWatch<V1Pod>('/api/v1/pods', new Watch(this.#opts.kubeConfig), () => this.#api.listPodForAllNamespaces(), false);
    informer.on('add', (p) => this.#onPod(p));
    informer.on('update', (p) => this.#onPod(p));
    informer.on('delete', (p) => this.#onPodGone(p));
    informer.on('error', (err: unknown) => {
      if (this.#stopped) return;
      this.#logger.warn({ err: String(err) }, 'pod watch failed: re-listing');
      this.#retry = setTimeout(() => void informer.start().catch(() => {}), 1000);
    });
    this.#informer = informer;
    await informer.start();
  }

  /**
   * Stops watching and kills every container. `graceful`: SIGTERM and each Pod's grace period
   * (Pods stay in the API); otherwise SIGKILL at once.
   */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    await this.#informer?.stop();
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    if (opts.graceful === true) await Promise.all(workers.map((w) => w.terminate(false)));
    else for (const w of workers) w.killNow();
  }

  #nodeStatus(): V1NodeStatus {
    const now = this.#now();
    const cond = (type: string, status: string, reason: string, message: string): V1NodeCondition => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    const capacity = { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '10Gi' };
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('Ready', 'True', 'KubeletReady', 'process-kubelet is posting ready status'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'ok'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'ok'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'ok'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.hostIP },
        { type: 'Hostname', address: this.nodeName },
      ],
      nodeInfo: {
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        bootID: '',
        containerRuntimeVersion: 'process://node-' + process.version,
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.33.0-process',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'process-kubelet',
        systemUUID: '',
      },
    };
  }

  async #registerNode(): Promise<void> {
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.nodeName,
        labels: { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', 'node.kpa-ts.dev/process-kubelet': 'true' },
      },
      spec: {},
      status: this.#nodeStatus(),
    };
    try {
      await this.#api.createNode({ body: node });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      await this.#patchNodeStatus();
    }
  }

  async #patchNodeStatus(): Promise<void> {
    await this.#api.patchNodeStatus({ name: this.nodeName, body: { status: this.#nodeStatus() } }, MERGE_PATCH);
  }

  #onPod(pod: V1Pod): void {
    if (this.#stopped) return;
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || nodeName === '') {
      if (this.#opts.schedule !== false) this.#bind(pod);
      return;
    }
    if (nodeName !== this.nodeName) return;
    const key = podKey(pod);
    const existing = this.#workers.get(key);
    if (existing !== undefined && existing.uid === pod.metadata?.uid) {
      existing.update(pod);
      return;
    }
    if (existing !== undefined) void existing.terminate(false); // same name, new Pod
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp != null || phase === 'Succeeded' || phase === 'Failed') {
      // Bound to us but not running here (a kubelet restart): just finish the deletion.
      if (pod.metadata?.deletionTimestamp != null) void this.#forceDelete(pod);
      return;
    }
    this.#run(pod, key);
  }

  #run(pod: V1Pod, key: string): void {
    const worker = new PodWorker(pod, {
      api: this.#api,
      pool: this.#pool,
      images: this.#opts.images ?? DEFAULT_IMAGES,
      repoRoot: this.#opts.repoRoot ?? REPO_ROOT,
      logDir: this.#opts.logDir,
      hostIP: this.hostIP,
      baseEnv: baseEnv(this.#opts.extraEnv),
      backoff: { baseMs: 250, maxMs: 10_000, resetAfterMs: 10_000, ...this.#opts.backoff },
      logger: this.#logger,
      emit: (e) => this.#opts.onEvent?.(e),
      now: this.#now,
    });
    this.#workers.set(key, worker);
    worker.start().then(
      () => {
        if (pod.metadata?.deletionTimestamp != null) worker.update(pod);
      },
      (err: unknown) => this.#logger.warn({ pod: key, err: String(err) }, 'pod start failed'),
    );
    void worker.done.then(() => {
      if (this.#workers.get(key) === worker) this.#workers.delete(key);
    });
  }

  #onPodGone(pod: V1Pod): void {
    const key = podKey(pod);
    const worker = this.#workers.get(key);
    if (worker === undefined || worker.uid !== pod.metadata?.uid) return;
    this.#workers.delete(key);
    void worker.terminate(false);
  }

  async #forceDelete(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    await this.#api
      .deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } } })
      .catch(() => {});
  }

  /** The scheduler's part: bind an unbound Pod to this node (retried while it stays unbound). */
  #bind(pod: V1Pod, attempt = 0): void {
    const key = `${podKey(pod)}/${pod.metadata?.uid ?? ''}`;
    if (pod.metadata?.deletionTimestamp != null || (pod.spec?.schedulingGates ?? []).length > 0) return;
    if (this.#binding.has(key) && attempt === 0) return;
    this.#binding.add(key);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } };
    this.#api.createNamespacedPodBinding({ name, namespace, body }).then(
      () => this.#binding.delete(key),
      (err: unknown) => {
        const code = (err as { code?: number }).code;
        if (code === 409 || code === 404 || this.#stopped || attempt >= 5) {
          this.#binding.delete(key);
          if (code !== 409 && code !== 404) this.#logger.warn({ pod: key, err: String(err) }, 'binding failed');
          return;
        }
        setTimeout(() => this.#bind(pod, attempt + 1), 200 * 2 ** attempt);
      },
    );
  }
}

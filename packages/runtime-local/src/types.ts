import type { Logger } from 'pino';

/** The user container: a command run with PORT/HOST set to the pod's app address. */
export interface AppSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** The port the app listens on (USER_PORT for the queue-proxy). Default 8080. */
  port?: number;
}

export interface RevisionTemplate {
  namespace: string;
  revision: string;
  containerConcurrency: number;
  timeoutSeconds?: number;
  app: AppSpec;
  /** Extra env for the queue-proxy, e.g. REDIS_URL; wins over what the runtime sets. */
  env?: Record<string, string>;
}

/**
 * pending: created, no address/processes yet; running: processes started, not ready;
 * ready: the queue-proxy answers its probe; terminating: being stopped (never ready).
 */
export type PodPhase = 'pending' | 'running' | 'ready' | 'terminating';

export interface PodInfo {
  name: string;
  namespace: string;
  revision: string;
  /** The pod's own loopback address; '' while pending (like a Pod without an IP yet). */
  ip: string;
  /** The queue-proxy serving port on `ip`. */
  port: number;
  phase: PodPhase;
  ready: boolean;
  createdAtMs: number;
  /** When it last became ready. */
  readyAtMs?: number;
  /** Process ids of the pod's children (fault injection, leak checks); absent until started. */
  pids?: { app?: number; queueProxy?: number };
}

/**
 * The pod set of one revision after a change (add, ready, unready, terminating, gone); also sent
 * once with `pods: []` when a revision is first deployed.
 */
export interface PodSetEvent {
  namespace: string;
  revision: string;
  pods: PodInfo[];
}

/** The time source for timestamps in PodInfo. */
export interface Clock {
  nowMs(): number;
}

export interface CommandSpec {
  command: string;
  args: string[];
  /** Extra env for every queue-proxy (below the template's `env`). */
  env?: Record<string, string>;
}

export interface LocalRuntimeOptions {
  /** How to start a queue-proxy, e.g. `{ command: process.execPath, args: ['packages/queue-proxy/dist/main.js'] }`. */
  queueProxy: CommandSpec;
  /** Addresses for pods, inside 127.0.0.0/8. Default '127.1.0.0/16'. */
  ipRange?: string;
  /** Passed to every queue-proxy as REDIS_URL. */
  redisUrl?: string;
  logger?: Logger;
  clock?: Clock;
  /** Uniform in [0, 1): pod name suffixes. Default Math.random. */
  random?: () => number;
  /** Readiness probe period once a pod has been ready. Default 1000. (Before: every 50 ms.) */
  probeIntervalMs?: number;
  /** Probe period until a pod is first ready. Default 50. */
  initialProbeIntervalMs?: number;
  /** A probe without an answer within this is a failure. Default 1000. */
  probeTimeoutMs?: number;
  /** Consecutive failed probes that make a ready pod unready. Default 3 (kubelet's). */
  probeFailureThreshold?: number;
  /** How long a terminating queue-proxy may drain before SIGKILL (then the app gets the rest). Default 30000. */
  terminationGraceMs?: number;
  /** Where child stdout/stderr go (one file per container). Default: a temp dir removed on close(). */
  logDir?: string;
  /** Queue-proxy serving port on every pod address. Default 8012. */
  queueServingPort?: number;
  /** Queue-proxy metrics port on every pod address. Default 9091. */
  metricsPort?: number;
}

export interface LocalRuntime {
  /** Registers (or updates the template of) a revision; `replicas` default: 0 when new, unchanged otherwise. */
  deploy(t: RevisionTemplate, replicas?: number): void;
  /** Like the /scale subresource: sets spec.replicas and reconciles; idempotent. */
  scale(namespace: string, revision: string, replicas: number): void;
  /** Every deployed revision's current template (for a topology adapter: revisions known at zero). */
  revisions(): RevisionTemplate[];
  /** spec.replicas (0 for an unknown revision). */
  replicas(namespace: string, revision: string): number;
  pods(namespace: string, revision: string): PodInfo[];
  readyCount(namespace: string, revision: string): number;
  /** Every pod-set change of every revision; returns the unsubscribe function. */
  watch(listener: (e: PodSetEvent) => void): () => void;
  /** Fault injection: signal the pod's processes (both by default; SIGKILL by default). */
  killPod(name: string, signal?: NodeJS.Signals, container?: 'app' | 'queue-proxy'): void;
  /** Terminates every pod (gracefully, within terminationGraceMs) and waits for every child to exit. */
  close(): Promise<void>;
  /** Where the child logs are. */
  readonly logDir: string;
}

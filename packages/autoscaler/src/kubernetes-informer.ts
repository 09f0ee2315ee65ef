// An informer that never gives up: client-node's ListWatch does list + watch from the list's
// resourceVersion, resumes from the last seen resourceVersion and relists on 410 Gone; it stops on
// any other error (apiserver away, connection cut), so this restarts it with a jittered exponential
// backoff (and resets the backoff once a start succeeds). The activator has the same small wrapper
// (kubernetes-topology-informer.ts): the two packages do not import each other.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface InformerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** For logs: `pods`, `deployments`. */
  name: string;
  kubeConfig: KubeConfig;
  /** The watch path, e.g. `/api/v1/pods` or `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** The list call matching `path` (and `labelSelector`). */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called for every added or changed object (also on relists) and every deleted one. */
  upsert(obj: T): void;
  remove(obj: T): void;
  logger: Logger;
  /** Restart delays: from `initialMs` doubling up to `maxMs` (defaults 500 ms, 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  timers?: InformerTimers;
}

export interface ResilientInformer {
  /** Starts listing and watching; failures are retried until `stop()`. */
  start(): void;
  /** Resolves once the first list has been delivered. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

const realTimers: InformerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The delay before restart number `attempt` (0-based): an exponential base capped at `maxMs`, half
 * of it fixed and half random ("equal jitter"), so replicas that lost the apiserver together do not
 * come back in step. E.g. initial 500, max 30 000: attempt 0 → 250..500 ms, 3 → 2..4 s, 10 → 15..30 s.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return base / 2 + random() * (base / 2);
}

export function createResilientInformer<T extends KubernetesObject>(o: InformerOptions<T>): ResilientInformer {
  const log = o.logger.child({ informer: o.name });
  const timers = o.timers ?? realTimers;
  const { initialMs, maxMs } = o.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const random = o.random ?? Math.random;
  // Lists are rare (start, and a relist after 410 Gone): each one is logged.
  const list = async (): Promise<KubernetesListObject<T>> => {
    const result = await o.list();
    log.info({ items: result.items.length, resourceVersion: result.metadata?.resourceVersion }, 'listed');
    return result;
  };
  const lw = new ListWatch<T>(o.path, new Watch(o.kubeConfig), list, false, o.labelSelector, o.fieldSelector);
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  let stopped = false;
  let failedThisRun = false;
  let attempt = 0;
  let retry: unknown;

  const restartLater = (err: unknown): void => {
    failedThisRun = true;
    if (stopped || retry !== undefined) return;
    const delayMs = backoffDelayMs(attempt++, initialMs, maxMs, random);
    log.warn({ err: describe(err), attempt, delayMs: Math.round(delayMs) }, 'list/watch failed; restarting');
    retry = timers.setTimeout(() => {
      retry = undefined;
      void run();
    }, delayMs);
  };
  const run = async (): Promise<void> => {
    if (stopped) return;
    failedThisRun = false;
    try {
      await lw.start();
    } catch (err) {
      restartLater(err);
    }
    if (failedThisRun || stopped) return;
    if (attempt > 0) log.info({ attempts: attempt }, 'list/watch running again');
    attempt = 0;
    markSynced();
  };
  lw.on('add', (obj) => o.upsert(obj));
  lw.on('update', (obj) => o.upsert(obj));
  lw.on('delete', (obj) => o.remove(obj));
  lw.on('error', (err) => restartLater(err));

  return {
    start: () => void run(),
    synced,
    async stop() {
      stopped = true;
      if (retry !== undefined) timers.clearTimeout(retry);
      retry = undefined;
      await lw.stop();
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

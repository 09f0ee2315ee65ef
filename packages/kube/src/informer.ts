// An informer that never gives up: client-node's ListWatch does list + watch from the list's
// resourceVersion, resumes from the last seen resourceVersion and relists on 410 Gone; it stops on
// any other error (apiserver away, connection cut), so this restarts it with a jittered exponential
// backoff (and resets the backoff once a start succeeds).
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface InformerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Restart delays: from `initialMs` doubling up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** What tests (and callers with other needs) may change; every field may be passed on as undefined. */
export interface InformerTuning {
  /** Default 500 ms doubling to 30 s. */
  backoff?: Backoff | undefined;
  /** The jitter's randomness (default Math.random). */
  random?: (() => number) | undefined;
  /** The restart timers (default: unref'd setTimeout). */
  timers?: InformerTimers | undefined;
}

export interface InformerOptions<T extends KubernetesObject> extends InformerTuning {
  /** For logs: `pods`, `deployments`. */
  name: string;
  kubeConfig: KubeConfig;
  /** The watch path, e.g. `/api/v1/pods` or `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** The list call matching `path` and the selectors. */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Called for every added or changed object (also on relists) and every deleted one. */
  upsert(obj: T): void;
  remove(obj: T): void;
  logger: Logger;
}

export interface ResilientInformer {
  /** Starts listing and watching; failures are retried until `stop()`. */
  start(): void;
  /** Resolves once the first list has been delivered. */
  readonly synced: Promise<void>;
  /**
   * True while what was delivered is current: from a successful (re)start until the next failure.
   * False before the first list and while restarting (the objects delivered may be stale then).
   */
  isWatching(): boolean;
  stop(): Promise<void>;
}

const realTimers: InformerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

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
  const { initialMs, maxMs } = o.backoff ?? DEFAULT_BACKOFF;
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
  let watching = false;
  let failedThisRun = false;
  let attempt = 0;
  let retry: unknown;

  const restartLater = (err: unknown): void => {
    failedThisRun = true;
    watching = false;
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
    watching = true;
    markSynced();
  };
  lw.on('add', (obj) => o.upsert(obj));
  lw.on('update', (obj) => o.upsert(obj));
  lw.on('delete', (obj) => o.remove(obj));
  lw.on('error', (err) => restartLater(err));

  return {
    start: () => void run(),
    synced,
    isWatching: () => watching && !stopped,
    async stop() {
      stopped = true;
      watching = false;
      if (retry !== undefined) timers.clearTimeout(retry);
      retry = undefined;
      await lw.stop();
    },
  };
}

/** Whether every informer delivered its first list within `timeoutMs` (false: not yet; they keep trying). */
export async function waitSynced(informers: readonly ResilientInformer[], timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([Promise.all(informers.map((i) => i.synced)).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts every informer; true once all delivered their first list, false (all stopped again) after `timeoutMs`. */
export async function startInformers(informers: readonly ResilientInformer[], timeoutMs: number): Promise<boolean> {
  for (const i of informers) i.start();
  if (await waitSynced(informers, timeoutMs)) return true;
  await stopInformers(informers);
  return false;
}

export async function stopInformers(informers: readonly ResilientInformer[]): Promise<void> {
  await Promise.all(informers.map((i) => i.stop()));
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

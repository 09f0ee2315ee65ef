// What the API server knows beyond the runtime: annotations, which revisions are deleted, and the
// watch streams it feeds. Every change goes through here so the events follow the state exactly.
import type { Logger } from 'pino';
import { RuntimeError } from './errors.js';
import type { DeployRequest, RevisionResource, ScaleResource, WatchEvent } from './server-api.js';
import type { LocalRuntime, PodSetEvent, RevisionTemplate } from './types.js';

interface Entry {
  annotations: Record<string, string>;
}

export type Subscriber = (e: WatchEvent) => void;

const keyOf = (namespace: string, revision: string): string => `${namespace}/${revision}`;

/** The revisions served by the API: the runtime's, minus the deleted ones, plus annotations. */
export class RevisionRegistry {
  readonly #rt: LocalRuntime;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #unwatch: () => void;

  constructor(rt: LocalRuntime, logger: Logger) {
    this.#rt = rt;
    this.#logger = logger;
    this.#unwatch = rt.watch((e) => this.#onPods(e));
  }

  /** Deploys or updates; resolves whether it was new. */
  deploy(body: DeployRequest & { annotations: Record<string, string> }): { created: boolean; resource: RevisionResource } {
    const key = keyOf(body.namespace, body.revision);
    const created = !this.#entries.has(key);
    const t: RevisionTemplate = {
      namespace: body.namespace,
      revision: body.revision,
      containerConcurrency: body.containerConcurrency,
      app: { command: body.app.command, args: body.app.args ?? [], ...(body.app.env ? { env: body.app.env } : {}), ...(body.app.port !== undefined ? { port: body.app.port } : {}) },
      ...(body.timeoutSeconds !== undefined ? { timeoutSeconds: body.timeoutSeconds } : {}),
      ...(body.env ? { env: body.env } : {}),
    };
    // A revision deleted earlier still exists in the runtime (at 0): start it again from 0.
    const replicas = body.replicas ?? (created ? 0 : undefined);
    this.#rt.deploy(t, replicas); // throws on an invalid template: nothing registered then
    // Registered after deploy: the runtime's own first events are dropped, the ones below replace them.
    this.#entries.set(key, { annotations: body.annotations });
    const resource = this.get(body.namespace, body.revision);
    this.#broadcast({ type: 'revision', revision: resource });
    this.#broadcast({ type: 'pods', namespace: t.namespace, revision: t.revision, pods: this.#rt.pods(t.namespace, t.revision) });
    return { created, resource };
  }

  list(): RevisionResource[] {
    return [...this.#entries.keys()].map((k) => {
      const [ns, rev] = k.split('/') as [string, string];
      return this.get(ns, rev);
    });
  }

  get(namespace: string, revision: string): RevisionResource {
    const entry = this.#entry(namespace, revision);
    const t = this.#rt.revisions().find((r) => r.namespace === namespace && r.revision === revision);
    if (t === undefined) throw unknown(namespace, revision);
    return { ...t, annotations: entry.annotations, replicas: this.#rt.replicas(namespace, revision) };
  }

  /** Scales the revision to 0 and forgets it; its pods terminate in the background. */
  delete(namespace: string, revision: string): void {
    this.#entry(namespace, revision);
    this.#entries.delete(keyOf(namespace, revision));
    this.#rt.scale(namespace, revision, 0);
    this.#broadcast({ type: 'revision-deleted', namespace, revision });
  }

  scaleOf(namespace: string, revision: string): ScaleResource {
    this.#entry(namespace, revision);
    const pods = this.#rt.pods(namespace, revision);
    return { namespace, revision, replicas: this.#rt.replicas(namespace, revision), readyReplicas: pods.filter((p) => p.ready).length, podCount: pods.length };
  }

  setScale(namespace: string, revision: string, replicas: number): ScaleResource {
    this.#entry(namespace, revision);
    const before = this.#rt.replicas(namespace, revision);
    this.#rt.scale(namespace, revision, replicas);
    if (before !== replicas) this.#broadcast({ type: 'revision', revision: this.get(namespace, revision) });
    return this.scaleOf(namespace, revision);
  }

  pods(namespace: string, revision: string): ReturnType<LocalRuntime['pods']> {
    this.#entry(namespace, revision);
    return this.#rt.pods(namespace, revision);
  }

  /** The current state as events (for a new watch connection), ending with `synced`. */
  snapshot(): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const r of this.list()) {
      events.push({ type: 'revision', revision: r });
      events.push({ type: 'pods', namespace: r.namespace, revision: r.revision, pods: this.#rt.pods(r.namespace, r.revision) });
    }
    events.push({ type: 'synced' });
    return events;
  }

  /** Adds a subscriber after handing it the snapshot, in the same tick (no event falls between). */
  subscribe(s: Subscriber): () => void {
    for (const e of this.snapshot()) s(e);
    this.#subscribers.add(s);
    return () => this.#subscribers.delete(s);
  }

  close(): void {
    this.#unwatch();
    this.#subscribers.clear();
  }

  #entry(namespace: string, revision: string): Entry {
    const entry = this.#entries.get(keyOf(namespace, revision));
    if (entry === undefined) throw unknown(namespace, revision);
    return entry;
  }

  #onPods(e: PodSetEvent): void {
    if (!this.#entries.has(keyOf(e.namespace, e.revision))) return; // deleted (its pods are going away)
    this.#broadcast({ type: 'pods', namespace: e.namespace, revision: e.revision, pods: e.pods });
  }

  #broadcast(e: WatchEvent): void {
    for (const s of this.#subscribers) {
      try {
        s(e);
      } catch (err) {
        this.#logger.error({ err }, 'watch subscriber threw');
      }
    }
  }
}

function unknown(namespace: string, revision: string): RuntimeError {
  return new RuntimeError('RUNTIME_UNKNOWN_REVISION', `revision ${namespace}/${revision} is not deployed`);
}

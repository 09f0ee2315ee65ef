// Watches one revision while the demo runs: pods and replicas (runtime watch), mode (decisions
// stream), pokes (poke stream), and each second the autoscalers' and the activator's /metrics.
// Records a timeline of what happened, with the time each thing was seen.
import { createDecisionWatcher, createPokeReader, type DecisionWatcher, type PokeReader } from '@kpa-ts/bus';
import type { PodInfo, RuntimeWatcher } from '@kpa-ts/runtime-local';
import type { DeployedApp } from './app.js';
import { httpGet } from './net.js';
import { parsePromText, pick, type Sample } from './prom-text.js';
import type { Stack } from './stack.js';

export type TimelineKind = 'poke' | 'scale' | 'ready' | 'panic' | 'mode' | 'zero' | 'load' | 'fault';

export interface TimelineEvent {
  /** ms since epoch */
  atMs: number;
  kind: TimelineKind;
  text: string;
}

/** The revision as seen at one moment. */
export interface RevisionView {
  ready: number;
  /** spec.replicas */
  replicas: number;
  /** pods in any phase */
  pods: number;
  /** autoscaler_desired_pods of the owning replica */
  desired: number | undefined;
  stable: number | undefined;
  panic: number | undefined;
  panicking: boolean;
  mode: 'proxy' | 'serve' | undefined;
  /** requests waiting in the activator */
  queued: number | undefined;
}

export class Observer {
  readonly events: TimelineEvent[] = [];
  readonly #stack: Stack;
  readonly #app: DeployedApp;
  readonly #watch: RuntimeWatcher;
  readonly #decisions: DecisionWatcher;
  readonly #pokes: PokeReader;
  #pods: PodInfo[] = [];
  #replicas = 0;
  #mode: 'proxy' | 'serve' | undefined;
  #panicking = false;
  #everUp = false;

  constructor(stack: Stack, app: DeployedApp) {
    this.#stack = stack;
    this.#app = app;
    const mine = (ns: string, rev: string): boolean => ns === app.namespace && rev === app.revision;
    this.#watch = stack.client.watch({
      revisionUpserted: (r) => mine(r.namespace, r.revision) && this.#onReplicas(r.replicas),
      podsChanged: (ns, rev, pods) => mine(ns, rev) && this.#onPods(pods),
    });
    this.#decisions = createDecisionWatcher({
      redisUrl: stack.redisUrl,
      onDecision: (d) => {
        if (mine(d.ns, d.rev) && d.mode !== this.#mode) {
          if (this.#mode !== undefined) this.note('mode', `mode ${this.#mode} → ${d.mode} (excess burst capacity ${d.ebc}, ${d.ready} ready)`, d.ts);
          this.#mode = d.mode;
        }
      },
    });
    let poked = false;
    this.#pokes = createPokeReader({
      redisUrl: stack.redisUrl,
      handler: (p) => {
        if (!mine(p.ns, p.rev) || poked) return;
        poked = true;
        this.note('poke', `first poke from ${p.activator} (a request is waiting at zero)`, p.ts);
      },
    });
  }

  async start(): Promise<void> {
    this.#watch.start();
    this.#decisions.start();
    this.#pokes.start();
    await Promise.all([this.#watch.whenSynced(10_000), this.#decisions.whenSynced(10_000), this.#pokes.whenSynced(10_000)]);
  }

  note(kind: TimelineKind, text: string, atMs = Date.now()): void {
    this.events.push({ atMs, kind, text });
  }

  /** Nothing runs and nothing is wanted: the revision is at zero. */
  get atZero(): boolean {
    return this.#replicas === 0 && this.#pods.length === 0;
  }

  /** Reads the metrics pages and returns the revision as it is now. */
  async view(): Promise<RevisionView> {
    const labels = { namespace: this.#app.namespace, revision: this.#app.revision };
    const pages = await Promise.all([...this.#stack.autoscalerAdminUrls, this.#stack.activatorAdminUrl].map((u) => scrape(u)));
    const activator = pages.pop() ?? [];
    // With several replicas only the shard's owner has the revision's series.
    const owner = pages.find((p) => pick(p, 'autoscaler_actual_pods', labels) !== undefined) ?? [];
    const panicking = pick(owner, 'autoscaler_panic_mode', labels) === 1;
    if (panicking !== this.#panicking) this.note('panic', panicking ? 'panic mode on' : 'panic mode off');
    this.#panicking = panicking;
    return {
      ready: this.#pods.filter((p) => p.ready).length,
      replicas: this.#replicas,
      pods: this.#pods.length,
      desired: pick(owner, 'autoscaler_desired_pods', labels),
      stable: pick(owner, 'autoscaler_stable_request_concurrency', labels),
      panic: pick(owner, 'autoscaler_panic_request_concurrency', labels),
      panicking,
      mode: this.#mode,
      queued: pick(activator, 'activator_queue_depth', labels),
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.#watch.stop(), this.#decisions.stop(), this.#pokes.stop()]);
  }

  #onReplicas(replicas: number): void {
    if (replicas !== this.#replicas) this.note('scale', `scaled ${this.#replicas} → ${replicas} replicas`);
    this.#replicas = replicas;
    this.#checkZero();
  }

  #onPods(pods: PodInfo[]): void {
    const before = this.#pods.filter((p) => p.ready).length;
    const after = pods.filter((p) => p.ready).length;
    this.#pods = pods;
    if (after !== before) this.note('ready', `ready pods ${before} → ${after}`);
    if (after > 0) this.#everUp = true;
    this.#checkZero();
  }

  #checkZero(): void {
    if (this.#everUp && this.atZero) {
      this.#everUp = false;
      this.note('zero', 'back at zero: no pods, 0 replicas');
    }
  }
}

async function scrape(url: string): Promise<Sample[]> {
  try {
    return parsePromText((await httpGet(`${url}/metrics`, { timeoutMs: 900 })).body);
  } catch {
    return [];
  }
}

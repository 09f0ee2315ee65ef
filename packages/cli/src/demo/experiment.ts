// Seed 003's experiment against a deployed revision: the burst (closed-loop clients through the
// activator), then idle until the revision is back at zero; a sample every second.
import type { DeployedApp } from './app.js';
import { LiveView } from './live-view.js';
import { LoadRun, type LoadTotals } from './load.js';
import type { Observer } from './observer.js';
import type { DemoPhase, DemoRun, DemoSample } from './report-types.js';

export interface ExperimentOptions {
  activatorUrl: string;
  app: DeployedApp;
  concurrency: number;
  durationMs: number;
  /** After the burst, wait at most this long for the revision to be back at zero. */
  settleTimeoutMs: number;
  /** The live view's output (one call per write). */
  write: (text: string) => void;
  tty: boolean;
  signal?: AbortSignal;
  /** Called once a second during the burst (e.g. fault injection in tests). */
  onSecond?: (sample: DemoSample) => void | Promise<void>;
}

function sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, atMs - Date.now()));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs the burst and the idle phase; resolves with every sample and the timeline. */
export async function runExperiment(o: ExperimentOptions, observer: Observer): Promise<DemoRun> {
  const before = await observer.view();
  const load = new LoadRun({ url: o.activatorUrl, host: o.app.host, concurrency: o.concurrency, durationMs: o.durationMs, ...(o.signal ? { signal: o.signal } : {}) });
  const startMs = Date.now();
  observer.note('load', `burst starts: ${o.concurrency} clients for ${o.durationMs / 1000}s`, startMs);
  const state: { phase: DemoPhase; totals: LoadTotals | undefined } = { phase: 'burst', totals: undefined };
  const loadDone = load.run().then((t) => {
    state.totals = t;
    state.phase = 'idle';
    observer.note('load', `burst over: ${t.ok + t.failed} requests, ${t.failed} failed`);
  });
  const live = new LiveView(o.write, o.tty, startMs);
  const samples: DemoSample[] = [{ ...before, tS: 0, phase: 'burst', clients: o.concurrency, ok: 0, failed: 0, inFlight: 0 }];
  let backAtZeroMs: number | undefined;
  const settleDeadline = (): number => (state.totals === undefined ? Infinity : startMs + state.totals.elapsedMs + o.settleTimeoutMs);
  for (let k = 1; !o.signal?.aborted; k += 1) {
    await sleepUntil(startMs + k * 1000, o.signal);
    if (o.signal?.aborted) break;
    const view = await observer.view();
    const w = load.window();
    const { phase } = state;
    const sample: DemoSample = { ...view, tS: (Date.now() - startMs) / 1000, phase, clients: phase === 'burst' ? o.concurrency : 0, ok: w.ok, failed: w.failed, inFlight: w.inFlight };
    samples.push(sample);
    live.update(sample, observer.events);
    if (phase === 'burst') await o.onSecond?.(sample);
    if (phase === 'idle' && observer.atZero) {
      backAtZeroMs = Date.now() - startMs;
      break;
    }
    if (Date.now() > settleDeadline()) break;
  }
  await loadDone;
  live.finish();
  return { startMs, samples, events: observer.events, load: state.totals ?? load.totals, backAtZero: backAtZeroMs !== undefined, backAtZeroMs };
}

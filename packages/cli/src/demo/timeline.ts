// The end-of-run timeline and the live view's line (pure).
import type { TimelineEvent } from './observer.js';
import type { DemoSample } from './report-types.js';

/** `+12.3s` relative to the burst's start. */
export function relTime(atMs: number, startMs: number): string {
  const s = (atMs - startMs) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)}s`;
}

/** The events in time order, one line each: `  +0.0s  first poke ...`. */
export function renderTimeline(events: readonly TimelineEvent[], startMs: number): string {
  return [...events]
    .sort((a, b) => a.atMs - b.atMs)
    .map((e) => `  ${relTime(e.atMs, startMs).padStart(8)}  ${e.text}`)
    .join('\n');
}

const num = (v: number | undefined, digits = 1): string => (v === undefined ? '–' : v.toFixed(digits));

/** One line of the live view. */
export function liveLine(s: DemoSample): string {
  return [
    `[${String(Math.round(s.tS)).padStart(4)}s]`,
    s.phase.padEnd(5),
    `clients ${String(s.clients).padStart(4)}`,
    `pods ${s.ready}/${s.replicas} ready/desired`,
    `stable ${num(s.stable).padStart(6)}`,
    `panic ${num(s.panic).padStart(6)}`,
    `mode ${(s.mode ?? '–').padEnd(5)}`,
    s.panicking ? 'PANIC' : '     ',
    `${String(s.ok).padStart(5)} req/s`,
    `${s.failed} failed`,
  ].join('  ');
}

// Pods over time as a terminal chart (pure): one column per time slice, `█` ready pods, `░` pods
// asked for but not ready yet, `!` a slice with panic mode on (marked under the axis).
import type { DemoSample } from './report-types.js';

export interface AsciiOptions {
  /** Columns for the plot area. Default 60. */
  width?: number;
}

/** Samples grouped into `width` slices; each slice shows its maximum. */
function slices(samples: readonly DemoSample[], width: number): Array<{ ready: number; replicas: number; panic: boolean; burst: boolean }> {
  const n = Math.min(width, samples.length);
  return Array.from({ length: n }, (_, i) => {
    const from = Math.floor((i * samples.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / n));
    const part = samples.slice(from, to);
    return {
      ready: Math.max(...part.map((s) => s.ready)),
      replicas: Math.max(...part.map((s) => s.replicas)),
      panic: part.some((s) => s.panicking),
      burst: part.some((s) => s.phase === 'burst'),
    };
  });
}

export function asciiChart(samples: readonly DemoSample[], opts: AsciiOptions = {}): string {
  if (samples.length === 0) return '(no samples)';
  const cols = slices(samples, opts.width ?? 60);
  const top = Math.max(1, ...cols.map((c) => Math.max(c.ready, c.replicas)));
  const lines: string[] = [];
  for (let level = top; level >= 1; level -= 1) {
    const bar = cols.map((c) => (c.ready >= level ? '█' : c.replicas >= level ? '░' : ' ')).join('');
    lines.push(`${String(level).padStart(3)} │${bar}`);
  }
  lines.push(`    └${'─'.repeat(cols.length)}`);
  lines.push(`     ${cols.map((c) => (c.panic ? '!' : c.burst ? '^' : ' ')).join('')}`);
  const first = samples[0]?.tS ?? 0;
  const last = samples.at(-1)?.tS ?? 0;
  const right = `${Math.round(last)}s`;
  lines.push(`     ${`${Math.round(first)}s`.padEnd(Math.max(1, cols.length - right.length))}${right}`);
  lines.push('     █ ready pods  ░ scaled to, not ready  ^ burst running  ! panic mode');
  return lines.join('\n');
}

// Durations on the command line: Go syntax (`5s`, `1m30s`, `500ms`, `1.5h`), parsed by @kpa-ts/config's
// Go-exact parser, or a bare number of milliseconds.
import { parseGoDurationMs } from '@kpa-ts/config';

/** Milliseconds, or undefined when `text` is neither a Go duration nor a plain number of ms. */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const parsed = parseGoDurationMs(s);
  return parsed.ok ? parsed.value : undefined;
}

/** `90000` → `1m30s`, `2000` → `2s`, `500` → `500ms`: for messages and plot captions. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

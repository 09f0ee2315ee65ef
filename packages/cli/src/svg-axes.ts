// Small helpers for the SVG plot: nice tick steps, linear scales, XML escaping.

/** A "nice" step (1, 2 or 5 × 10^k) that splits `range` into about `count` intervals. */
export function niceStep(range: number, count: number, integer = false): number {
  if (!(range > 0)) return 1;
  const raw = range / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

/** Ticks 0, step, 2·step … up to and including the first at or above `max`. */
export function ticks(max: number, count: number, integer = false): number[] {
  const step = niceStep(max, count, integer);
  const out: number[] = [];
  for (let v = 0; out.length < 1000; v += step) {
    out.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return out;
}

export interface Scale {
  (v: number): number;
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const fmt = (x: number): string => String(Math.round(x * 10) / 10);

export function tickLabel(v: number): string {
  if (v >= 10_000) return `${fmt(v / 1000)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 1 ? 2 : 1);
}

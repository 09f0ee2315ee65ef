import { describe, expect, it } from '@jest/globals';
import { panicSpans, renderSvg } from '../src/render-svg.js';
import type { SecondSample, SimulationResult } from '../src/result.js';
import { summarize } from '../src/summary.js';
import { niceStep, ticks } from '../src/svg-axes.js';

function result(samples: SecondSample[]): SimulationResult {
  return {
    settings: {
      traceMetric: 'concurrency', scalingMetric: 'concurrency', containerConcurrency: 100, targetValue: 70, totalValue: 100,
      targetBurstCapacity: 211, minScale: 0, maxScale: 3, stableWindowMs: 60_000, panicWindowMs: 6000,
      scaleToZeroGracePeriodMs: 30_000, podStartDelayMs: 5000, podStopDelayMs: 0, latencyMs: 100, tickMs: 2000, durationMs: 6000,
    },
    ticks: [],
    seconds: samples,
    summary: summarize(samples),
  };
}

const sample = (tS: number, load: number, ready: number, panic: boolean): SecondSample => ({ tS, load, concurrency: load, ready, replicas: ready, want: ready, panic, mode: 'proxy', waiting: 0 });

/** A tiny well-formedness check: every tag opened is closed, in order, no attribute twice. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, attrs, selfClose] = m;
    const names = [...(attrs ?? '').matchAll(/\s([a-zA-Z-]+)="[^"]*"/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) return false;
    if (selfClose) continue;
    if (!close) stack.push(name as string);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe('renderSvg', () => {
  const samples = [sample(0, 0, 0, false), sample(1, 500, 0, true), sample(2, 500, 3, true), sample(3, 500, 3, false), sample(4, 0, 3, false), sample(5, 0, 0, false)];
  const svg = renderSvg(result(samples), { title: 'siege <burst> & co' });

  it('is a well-formed SVG document with the lines, the panic shading and a legend', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(svg.match(/<polyline /g)?.length).toBe(5);
    expect(svg).toContain('fill="#f4b6b6"');
    for (const label of ['load', 'ready pods', 'desired pods', 'panic', 'time (s)']) expect(svg).toContain(`>${label}<`);
    expect(svg).toContain('siege &#60;burst&#62; &#38; co');
  });

  it('draws steps: only change points, ending at the last second', () => {
    const ready = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]).at(-1) ?? '';
    expect(ready.split(' ')).toHaveLength(6); // 0 → 3 at t=2, 3 → 0 at t=5, then to the end
  });
});

describe('panicSpans', () => {
  it('merges consecutive seconds', () => {
    const s = [false, true, true, false, true].map((p, t) => sample(t, 0, 0, p));
    expect(panicSpans(s)).toEqual([[1, 3], [4, 5]]);
  });
});

describe('axis ticks', () => {
  it.each([
    [500, 5, false, 100],
    [7, 5, true, 2],
    [3, 5, true, 1],
    [0.3, 5, false, 0.1],
  ])('niceStep(%d, %d) = %d', (range, count, integer, want) => expect(niceStep(range, count, integer)).toBeCloseTo(want));

  it('covers the maximum', () => {
    expect(ticks(430, 5)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(ticks(3, 5, true)).toEqual([0, 1, 2, 3]);
  });
});

// The plot: load (top panel) and pods (bottom panel) over time, panic periods shaded. Plain SVG.
import { formatDurationMs } from './duration.js';
import type { SecondSample, SimulationResult } from './result.js';
import { escapeXml, fmt, linear, tickLabel, ticks, type Scale } from './svg-axes.js';

const W = 960;
const H = 600;
const LEFT = 72;
const RIGHT = 24;
const PANEL_H = 190;
const TOP_PANEL_Y = 96;
const BOTTOM_PANEL_Y = TOP_PANEL_Y + PANEL_H + 60;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const COLORS = { load: '#1f5fbf', waiting: '#e07b00', ready: '#1a8f3c', replicas: '#333333', want: '#8e44ad', panic: '#f4b6b6', grid: '#e3e3e3' };

interface Panel {
  y: number;
  x: Scale;
  yScale: Scale;
  yTicks: number[];
  yLabel: string;
}

/** A step line through (t, value) samples: one vertex pair per change, so it stays small. */
function stepPoints(samples: SecondSample[], value: (s: SecondSample) => number, p: Panel): string {
  const pts: string[] = [];
  let prev: number | undefined;
  for (const s of samples) {
    const v = value(s);
    if (v === prev) continue;
    if (prev !== undefined) pts.push(`${fmt(p.x(s.tS))},${fmt(p.yScale(prev))}`);
    pts.push(`${fmt(p.x(s.tS))},${fmt(p.yScale(v))}`);
    prev = v;
  }
  const last = samples.at(-1);
  if (last && prev !== undefined) pts.push(`${fmt(p.x(last.tS + 1))},${fmt(p.yScale(prev))}`);
  return pts.join(' ');
}

function polyline(points: string, color: string, opts: { width?: number; dash?: string } = {}): string {
  const dash = opts.dash ? ` stroke-dasharray="${opts.dash}"` : '';
  return `<polyline fill="none" stroke="${color}" stroke-width="${opts.width ?? 2}" stroke-linejoin="round"${dash} points="${points}"/>`;
}

/** Spans of consecutive seconds in panic, as [fromS, toS) pairs. */
export function panicSpans(samples: SecondSample[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const s of samples) {
    const open = spans.at(-1);
    if (s.panic && open && open[1] === s.tS) open[1] = s.tS + 1;
    else if (s.panic) spans.push([s.tS, s.tS + 1]);
  }
  return spans;
}

function axes(p: Panel, xTicks: number[], xDiv: number): string {
  const x0 = LEFT;
  const x1 = W - RIGHT;
  const yBottom = p.y + PANEL_H;
  const out: string[] = [];
  for (const v of p.yTicks) {
    const y = fmt(p.yScale(v));
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="12" ${FONT}>${tickLabel(v)}</text>`);
  }
  for (const t of xTicks) {
    const x = fmt(p.x(t));
    out.push(`<line x1="${x}" y1="${yBottom}" x2="${x}" y2="${yBottom + 5}" stroke="#666"/>`);
    out.push(`<text x="${x}" y="${yBottom + 18}" text-anchor="middle" font-size="12" ${FONT}>${tickLabel(t / xDiv)}</text>`);
  }
  out.push(`<rect x="${x0}" y="${p.y}" width="${x1 - x0}" height="${PANEL_H}" fill="none" stroke="#666"/>`);
  const midY = p.y + PANEL_H / 2;
  out.push(`<text x="18" y="${midY}" text-anchor="middle" font-size="13" ${FONT} transform="rotate(-90 18 ${midY})">${escapeXml(p.yLabel)}</text>`);
  return out.join('\n');
}

function legend(items: Array<{ label: string; color: string; dash?: string; box?: boolean }>, y: number): string {
  let x = LEFT;
  return items
    .map((it) => {
      const mark = it.box
        ? `<rect x="${x}" y="${y - 7}" width="22" height="12" fill="${it.color}"/>`
        : `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${it.color}" stroke-width="2.5" ${it.dash ? `stroke-dasharray="${it.dash}"` : ''}/>`;
      const text = `<text x="${x + 28}" y="${y}" dominant-baseline="middle" font-size="12" ${FONT}>${escapeXml(it.label)}</text>`;
      x += 52 + it.label.length * 6;
      return mark + text;
    })
    .join('\n');
}

function panel(y: number, x: Scale, max: number, integer: boolean, yLabel: string): Panel {
  // A little headroom so a line at the maximum does not sit on the frame.
  const yTicks = ticks(Math.max(max * 1.05, integer ? 1 : 1e-9), 5, integer);
  const top = yTicks.at(-1) ?? 1;
  return { y, x, yScale: linear(0, top, y + PANEL_H, y), yTicks, yLabel };
}

export interface SvgOptions {
  title: string;
}

/** The whole plot as an SVG document. */
export function renderSvg(result: SimulationResult, opts: SvgOptions): string {
  const samples = result.seconds;
  const endS = (samples.at(-1)?.tS ?? 0) + 1;
  const minutes = endS > 1200;
  const xDiv = minutes ? 60 : 1;
  const x = linear(0, endS, LEFT, W - RIGHT);
  const xTicks = ticks(endS / xDiv, 10).map((t) => t * xDiv).filter((t) => t <= endS);
  const unit = result.settings.traceMetric === 'rps' ? 'requests/s' : 'concurrent requests';
  // The waiting requests are a concurrency; on an rps trace, show them as the rate they arrive at.
  const waitFactor = result.settings.traceMetric === 'rps' ? 1000 / result.settings.latencyMs : 1;
  const loadMax = samples.reduce((m, s) => Math.max(m, s.load, s.waiting * waitFactor), 0);
  const podMax = samples.reduce((m, s) => Math.max(m, s.ready, s.replicas, s.want), 0);
  const top = panel(TOP_PANEL_Y, x, loadMax, false, `load (${unit})`);
  const bottom = panel(BOTTOM_PANEL_Y, x, podMax, true, 'pods');
  const shade = panicSpans(samples)
    .map(([a, b]) => [top, bottom].map((p) => `<rect x="${fmt(x(a))}" y="${p.y}" width="${fmt(x(b) - x(a))}" height="${PANEL_H}" fill="${COLORS.panic}" fill-opacity="0.6"/>`).join(''))
    .join('\n');
  const s = result.settings;
  const subtitle = `cc ${s.containerConcurrency}, target ${fmt(s.targetValue)}/pod, max-scale ${s.maxScale || 'unlimited'}, stable window ${formatDurationMs(s.stableWindowMs)}, panic window ${formatDurationMs(s.panicWindowMs)}, pod start ${formatDurationMs(s.podStartDelayMs)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${LEFT}" y="26" font-size="17" font-weight="bold" ${FONT}>${escapeXml(opts.title)}</text>`,
    `<text x="${LEFT}" y="46" font-size="12" fill="#444" ${FONT}>${escapeXml(subtitle)}</text>`,
    legend([{ label: 'load', color: COLORS.load }, { label: 'waiting in activator', color: COLORS.waiting, dash: '5 3' }, { label: 'ready pods', color: COLORS.ready }, { label: 'desired pods', color: COLORS.replicas, dash: '6 4' }, { label: 'decider (before min/max)', color: COLORS.want, dash: '2 3' }, { label: 'panic', color: COLORS.panic, box: true }], 72),
    shade,
    axes(top, xTicks, xDiv),
    axes(bottom, xTicks, xDiv),
    polyline(stepPoints(samples, (v) => v.load, top), COLORS.load),
    polyline(stepPoints(samples, (v) => v.waiting * waitFactor, top), COLORS.waiting, { dash: '5 3' }),
    polyline(stepPoints(samples, (v) => Math.max(0, v.want), bottom), COLORS.want, { width: 1.5, dash: '2 3' }),
    polyline(stepPoints(samples, (v) => v.replicas, bottom), COLORS.replicas, { dash: '6 4' }),
    polyline(stepPoints(samples, (v) => v.ready, bottom), COLORS.ready, { width: 2.5 }),
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 10}" text-anchor="middle" font-size="13" ${FONT}>time (${minutes ? 'min' : 's'})</text>`,
    '</svg>',
    '',
  ].join('\n');
}

// `kpa simulate <trace.csv>`: read the trace, build the revision's spec, simulate, print and plot.
import { basename } from 'node:path';
import { CliError } from '../errors.js';
import { svgToPng } from '../png.js';
import { renderSvg } from '../render-svg.js';
import { renderCsv, renderJson, renderTable } from '../render-text.js';
import type { SimulationResult } from '../result.js';
import { buildRevisionSpec } from '../revision-spec.js';
import { parseSimulateArgs, SIMULATE_USAGE, type SimulateOptions } from '../simulate-options.js';
import { defaultDurationMs, simulate } from '../simulator.js';
import { parseTrace, traceEndS, type Trace } from '../trace.js';
import type { CliIo, Command } from './command.js';

async function readTrace(path: string, io: CliIo): Promise<Trace> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (err) {
    throw new CliError('E_IO', `cannot read trace ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseTrace(text, path);
}

async function writeOut(path: string, data: string | Uint8Array, io: CliIo): Promise<void> {
  try {
    await io.writeFile(path, data);
  } catch (err) {
    throw new CliError('E_IO', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function render(result: SimulationResult, opts: SimulateOptions): string {
  const how = { quiet: opts.quiet };
  if (opts.format === 'csv') return renderCsv(result, how);
  if (opts.format === 'json') return renderJson(result, how);
  return renderTable(result, how);
}

async function writePlots(result: SimulationResult, opts: SimulateOptions, io: CliIo): Promise<void> {
  if (!opts.svgPath && !opts.pngPath) return;
  const svg = renderSvg(result, { title: `kpa simulate ${basename(opts.tracePath)}` });
  if (opts.svgPath) await writeOut(opts.svgPath, svg, io);
  if (opts.pngPath) await writeOut(opts.pngPath, await svgToPng(svg), io);
  if (!opts.quiet) io.stderr(`wrote ${[opts.svgPath, opts.pngPath].filter(Boolean).join(' and ')}\n`);
}

export async function runSimulate(argv: string[], io: CliIo): Promise<number> {
  const opts = parseSimulateArgs(argv);
  if (opts.help) {
    io.stdout(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  const trace = await readTrace(opts.tracePath, io);
  const spec = buildRevisionSpec(opts);
  const durationMs = opts.durationMs ?? defaultDurationMs(traceEndS(trace), spec, opts.podStartDelayMs);
  const result = simulate({ ...opts, trace, spec, durationMs });
  io.stdout(render(result, opts));
  await writePlots(result, opts, io);
  return 0;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'replay a load trace through the real KPA scaling code and print/plot pods over time',
  run: runSimulate,
};

// @kpa-ts/cli: the `kpa` command line. The library surface is what `kpa simulate` is built from,
// so other tools (and `kpa demo`) can run a simulation or draw its plot without the binary.
export { CliError, type CliErrorCode } from './errors.js';
export { parseDurationMs, formatDurationMs } from './duration.js';
export { parseTrace, loadPerSecond, traceEndS, TraceError, type Trace, type TraceIssue, type TraceMetric, type TracePoint } from './trace.js';
export { parseSimulateArgs, annotationKey, SIMULATE_USAGE, type OutputFormat, type SimulateOptions } from './simulate-options.js';
export { simulate, defaultDurationMs, SIM_EPOCH_MS, type SimulationInput } from './simulator.js';
export { buildRevisionSpec } from './revision-spec.js';
export type { SecondSample, SimulationResult, SimulationSettings, Summary, TickRow } from './result.js';
export { renderTable, renderCsv, renderJson, summaryLines } from './render-text.js';
export { renderSvg, type SvgOptions } from './render-svg.js';
export { svgToPng } from './png.js';
export { dispatch, usage } from './dispatch.js';
export { COMMANDS, type CliIo, type Command } from './commands/index.js';
// `kpa demo`'s stack, load and reports (used by e2e/ and the cold-start bench).
export * from './demo/index.js';
export { checkDemoConfig, demoCommand, demoConfig, runDemo } from './commands/demo.js';

// kpa demo's building blocks, for the e2e tests and the cold-start bench (the same stack and load).
export { startStack, BINARIES, KNATIVE_DEFAULTS, REPO_ROOT, type Stack, type StackOptions } from './stack.js';
export { deployApp, appAnnotations, KPA_TS_CLASS, DOMAIN, type AppOptions, type DeployedApp } from './app.js';
export { LoadRun, type LoadOptions, type LoadTotals, type LoadWindow } from './load.js';
export { Observer, type RevisionView, type TimelineEvent, type TimelineKind } from './observer.js';
export { Supervisor, type ManagedProcess, type SpawnSpec } from './processes.js';
export { freePort, httpGet, waitUntil, type HttpAnswer, type WaitOptions } from './net.js';
export { parsePromText, pick, sum, type Sample } from './prom-text.js';
export { parseDemoArgs, DEMO_USAGE, type DemoOptions } from './options.js';
export { siegeSummary, availability, quantile, demoJson } from './summary.js';
export { asciiChart } from './ascii-chart.js';
export { renderTimeline, liveLine } from './timeline.js';
export type { DemoJson, DemoRun, DemoSample } from './report-types.js';

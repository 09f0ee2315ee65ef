// `kpa demo`: the whole stack as local processes, seed 003's burst through it, a live view, and a
// report (siege summary, plot, timeline). Everything it starts is stopped on exit, Ctrl-C included.
import { CONFIG_KEYS, parseAutoscalerConfig } from '@kpa-ts/config';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployApp } from '../demo/app.js';
import { runExperiment } from '../demo/experiment.js';
import { Observer } from '../demo/observer.js';
import { DEMO_USAGE, parseDemoArgs, type DemoOptions } from '../demo/options.js';
import { demoSvg } from '../demo/plot.js';
import { firstReadyMs, renderReport } from '../demo/report.js';
import type { DemoRun } from '../demo/report-types.js';
import { KNATIVE_DEFAULTS, startStack, type Stack } from '../demo/stack.js';
import { CliError } from '../errors.js';
import { demoJson } from '../demo/summary.js';
import type { CliIo, Command } from './command.js';

/** config-autoscaler for the run: Knative's defaults, the flags' windows, a revision may start at 0. */
export function demoConfig(o: DemoOptions): Record<string, string> {
  return {
    'stable-window': `${o.stableWindowMs / 1000}s`,
    'scale-to-zero-grace-period': `${o.graceMs}ms`,
    'target-burst-capacity': String(o.targetBurstCapacity),
    'allow-zero-initial-scale': 'true',
    ...o.config,
  };
}

/** The run's config through the real parser: a typo or a bad value stops the demo before it starts. */
export function checkDemoConfig(config: Record<string, string>): void {
  const known = new Set<string>(Object.values(CONFIG_KEYS));
  const unknown = Object.keys(config).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new CliError('E_CONFIG', `--config ${unknown.join(', ')}: not a config-autoscaler key`);
  const parsed = parseAutoscalerConfig({ ...KNATIVE_DEFAULTS, ...config });
  if (!parsed.success) {
    throw new CliError('E_CONFIG', parsed.error.issues.map((i) => `config-autoscaler ${String(i.path[0] ?? '')}: ${i.message}`).join('\n'));
  }
}

interface Session {
  stack?: Stack;
  observer?: Observer;
}

async function execute(o: DemoOptions, io: CliIo, logDir: string, signal: AbortSignal, s: Session): Promise<DemoRun> {
  const say = o.json ? io.stderr : io.stdout;
  s.stack = await startStack({ logDir, autoscalers: o.autoscalers, config: demoConfig(o), signal, log: (l) => say(`${l}\n`) });
  say(`stack up: activator ${s.stack.activatorUrl}, runtime API ${s.stack.runtimeUrl}, ${o.autoscalers} autoscaler(s), redis ${s.stack.redisUrl}\n`);
  const app = await deployApp(s.stack, { containerConcurrency: o.containerConcurrency, maxScale: o.maxScale, latencyMs: o.latencyMs }, signal);
  s.observer = new Observer(s.stack, app);
  await s.observer.start();
  say(`deployed ${app.namespace}/${app.revision} (containerConcurrency ${o.containerConcurrency}, max-scale ${o.maxScale}, app latency ${o.latencyMs} ms): at zero, Host ${app.host}\n`);
  const tty = !o.json && process.stdout.isTTY === true;
  return runExperiment({ activatorUrl: s.stack.activatorUrl, app, concurrency: o.concurrency, durationMs: o.durationMs, settleTimeoutMs: o.settleTimeoutMs, write: say, tty, signal }, s.observer);
}

async function report(run: DemoRun, o: DemoOptions, io: CliIo, logDir: string): Promise<void> {
  const svgPath = o.svgPath ?? join(logDir, 'demo.svg');
  await io.writeFile(svgPath, demoSvg(run, o, firstReadyMs(run) ?? 0));
  const text = renderReport(run, svgPath);
  if (o.json) {
    io.stderr(text);
    io.stdout(`${JSON.stringify(demoJson(run, logDir))}\n`);
  } else {
    io.stdout(text);
  }
}

export async function runDemo(argv: string[], io: CliIo): Promise<number> {
  const o = parseDemoArgs(argv);
  if (o.help) {
    io.stdout(`${DEMO_USAGE}\n`);
    return 0;
  }
  checkDemoConfig(demoConfig(o));
  const say = o.json ? io.stderr : io.stdout;
  const logDir = mkdtempSync(join(tmpdir(), 'kpa-demo-'));
  say(`kpa demo: logs in ${logDir}\n`);
  const abort = new AbortController();
  const session: Session = {};
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      session.stack?.supervisor.killAll();
      process.exit(130);
    }
    say('\ninterrupted: stopping everything (Ctrl-C again to kill at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const run = await execute(o, io, logDir, abort.signal, session);
    if (!abort.signal.aborted) await report(run, o, io, logDir);
    return abort.signal.aborted ? 130 : 0;
  } catch (err) {
    if (abort.signal.aborted) return 130;
    io.stderr(`kpa demo: ${err instanceof Error ? err.message : String(err)}\n(logs in ${logDir})\n`);
    return 1;
  } finally {
    await session.observer?.stop();
    say('stopping the stack ...\n');
    await session.stack?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    say(`stopped; logs kept in ${logDir}\n`);
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole stack locally and scale the sample app 0→N→0 under seed 003\'s burst',
  run: runDemo,
};

// `pnpm bench [filter]`: builds, runs every packages/*/bench/*.bench.ts (or those whose path contains
// the filter) one after another, and writes BENCHMARKS.md from the sections they produce.
// Each bench writes one Markdown section to $BENCH_OUT/<package>--<name>.md; this script adds the
// machine, the command and the date. A filtered run keeps the other sections from the last full run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });

execFileSync('pnpm', ['-s', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });

const benches = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith('.bench.ts')) benches.push({ pkg, file: join(dir, f), name: f.replace(/\.bench\.ts$/, '') });
}
let failed = 0;
for (const b of benches.filter((b) => b.file.includes(filter))) {
  console.log(`\n== bench ${b.pkg}/${b.name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', b.file], {
    cwd: join(root, 'packages', b.pkg),
    stdio: 'inherit',
    env: { ...process.env, BENCH_OUT: join(outDir, `${b.pkg}--${b.name}.md`) },
  });
  if (r.status !== 0) failed += 1;
}

const sections = readdirSync(outDir).filter((f) => f.endsWith('.md')).sort().map((f) => readFileSync(join(outDir, f), 'utf8').trim());
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmarks

Measured by \`pnpm bench\` (scripts/bench.mjs), which runs every \`packages/*/bench/*.bench.ts\`; each
measures a hot path against a baseline in the same run. Numbers below are from the last run on:

- machine: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM
- node ${process.version}, ${process.platform}/${process.arch}
- written: ${new Date().toISOString()}

Re-run with \`pnpm bench\` (all) or \`pnpm bench <package>\` (one package's sections refreshed).
`;
writeFileSync(join(root, 'BENCHMARKS.md'), [header, ...sections].join('\n\n') + '\n');
console.log(`\nwrote BENCHMARKS.md (${sections.length} sections)`);
process.exit(failed ? 1 : 0);

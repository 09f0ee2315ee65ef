// Prints the one totals line over every suite and sets the exit code.
// Static checks (typecheck, lint) count as one test each; a suite that failed to load counts as a failure.
import { readFileSync } from 'node:fs';

const [file, checksPassed = '0', checksFailed = '0', jestRc = '0'] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
let skipped = 0;
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  report = undefined;
}
if (report) {
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  for (const suite of report.testResults) {
    const failing = suite.assertionResults.filter((a) => a.status === 'failed').length;
    if (suite.status === 'failed' && failing === 0) failed += 1; // failed to load or run
  }
} else {
  failed += 1; // jest produced no report at all
}
if (report && Number(jestRc) !== 0 && failed === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || report === undefined || report.numTotalTests === 0 ? 1 : 0);

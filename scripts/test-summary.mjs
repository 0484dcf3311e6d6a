#!/usr/bin/env node
// Sums the JSON reports every workspace package's vitest run writes to test-results/vitest.json
// and prints one closing line, `N passed, N failed, N skipped`, for CI to read. A package that
// has a test script but left no report counts as a failure: its runner crashed before reporting.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

for (const group of ['packages', 'tools']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir)) {
    const packageDir = join(groupDir, name);
    const manifestPath = join(packageDir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!manifest.scripts?.test) continue;
    const reportPath = join(packageDir, 'test-results', 'vitest.json');
    if (!existsSync(reportPath)) {
      problems.push(`${manifest.name}: no test report at ${reportPath}`);
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    // A test file that fails to load has no failed tests but a failed suite.
    if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) {
      problems.push(`${manifest.name}: ${report.numFailedTestSuites} test file(s) failed to run`);
    }
  }
}

for (const problem of problems) console.error(problem);
if (problems.length > 0) failed += problems.length;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;

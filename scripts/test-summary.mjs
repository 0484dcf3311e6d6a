#!/usr/bin/env node
// Sums the JSON reports every workspace package's vitest run writes to test-results/vitest.json
// and prints one closing line, `N passed, N failed, N skipped`, for CI to read. A package that
// has a test script but left no report counts as a failure: its runner crashed before reporting.
//
// Above it, each failed test by package, file and title with the first line of its failure, so
// that the last lines of a CI log (all that is sometimes kept) say what failed; and each test that
// passed only when run again (a package's `retry`), with its first failure: such a test is
// flaky, which is a defect to mend, counted as passed but never hidden.
//
// Before it, one line for the fuzz campaign: how many cases ran over how many targets. Each test
// file under a package's test/fuzz/ writes test-results/fuzz/<file>.json (test-support/fuzz.ts)
// with one record per run (title, seed, cases); every fuzz test that passed or failed in vitest's
// report must have its record there, else the count is missing and that counts as a failure,
// like a missing report. A fuzz run the watchdog stopped (an endless loop) left a .hang.txt, and
// a fuzz test that did not run at all (its worker died) is a failure too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
// Failed tests that listFailures named: counted in `failed` already, so not again as problems.
let failedTests = 0;
const problems = [];
const fuzz = {
  cases: 0,
  targets: new Set(),
  fixedSeeds: new Set(),
  randomSeeds: new Set(),
  sweeps: 0,
};
/** The titles test-support/fuzz.ts gives each run of a target, and each sweep. */
const FUZZ_TITLE = / \(((fixed|random) seed -?\d+|[^()]*, \d+ cases)\)$/;

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
    listFailures(manifest.name, packageDir, report);
    countFuzz(manifest.name, packageDir, report);
  }
}

/** Names each failed or flaky test of a package's report, with the first line of its first failure. */
function listFailures(packageName, packageDir, report) {
  for (const result of report.testResults ?? []) {
    const file = relative(packageDir, result.name).split('\\').join('/');
    for (const test of result.assertionResults ?? []) {
      const message = String(test.failureMessages?.[0] ?? '').split('\n')[0];
      if (test.status === 'passed' && message !== '') {
        console.log(
          `FLAKY ${packageName} ${file} > ${test.fullName}: passed again after ${message}`,
        );
      }
      if (test.status !== 'failed') continue;
      problems.push(`FAILED ${packageName} ${file} > ${test.fullName ?? test.title}: ${message}`);
      failedTests++;
    }
  }
}

/** Adds a package's fuzz counts, and a problem for each fuzz test that left none. */
function countFuzz(packageName, packageDir, report) {
  const fuzzDir = join(packageDir, 'test-results', 'fuzz');
  if (existsSync(fuzzDir)) {
    for (const file of readdirSync(fuzzDir).filter((f) => f.endsWith('.hang.txt'))) {
      const text = readFileSync(join(fuzzDir, file), 'utf8').trim();
      problems.push(`${packageName}: a fuzz run made no progress and was stopped: ${text}`);
    }
  }
  for (const result of report.testResults ?? []) {
    const file = relative(packageDir, result.name).split('\\').join('/');
    if (!file.startsWith('test/fuzz/')) continue;
    const tests = result.assertionResults ?? [];
    const ran = tests.filter((test) => test.status === 'passed' || test.status === 'failed');
    // A fuzz run is never skipped on purpose: one that did not run was cut short by its worker
    // dying (the watchdog's kill, a crash), which vitest's report shows as a skipped test.
    for (const test of tests) {
      if (!ran.includes(test) && FUZZ_TITLE.test(test.title)) {
        problems.push(`${packageName}: ${file}: fuzz test "${test.title}" did not run`);
      }
    }
    if (ran.length === 0) continue;
    const countPath = join(fuzzDir, `${basename(file).replace(/\.test\.ts$/, '')}.json`);
    let records;
    try {
      const counts = JSON.parse(readFileSync(countPath, 'utf8'));
      if (counts.file !== file || !Array.isArray(counts.runs)) throw new Error('not its counts');
      records = counts.runs;
    } catch (error) {
      problems.push(
        `${packageName}: ${file} ran ${ran.length} fuzz tests but left no case count at ${countPath} (${error.message})`,
      );
      continue;
    }
    for (const test of ran) {
      const record = records.find((r) => r.title === test.title);
      if (record === undefined || !Number.isSafeInteger(record.cases)) {
        problems.push(`${packageName}: ${file}: fuzz test "${test.title}" left no case count`);
        continue;
      }
      fuzz.cases += record.cases;
      fuzz.targets.add(`${packageName} ${file} ${record.target}`);
      if (record.sweep) fuzz.sweeps++;
      else (record.fixed ? fuzz.fixedSeeds : fuzz.randomSeeds).add(record.seed);
    }
  }
}

const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const seeds = () => {
  const fixed = [...fuzz.fixedSeeds];
  const parts = [fixed.length === 1 ? `seed ${fixed[0]}` : `${fixed.length} fixed seeds`];
  const random = fuzz.randomSeeds.size;
  if (random === 1) parts.push('a random seed');
  else if (random > 1) parts.push('a random seed per test file');
  if (fuzz.sweeps > 0) parts.push(`${fuzz.sweeps} exhaustive sweeps`);
  return parts.length === 3 ? `${parts[0]}, ${parts[1]} and ${parts[2]}` : parts.join(' and ');
};
console.log(
  `fuzz: ${thousands(fuzz.cases)} cases over ${fuzz.targets.size} targets` +
    (fuzz.targets.size > 0 ? ` (${seeds()})` : ''),
);

for (const problem of problems) console.error(problem);
failed += problems.length - failedTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;

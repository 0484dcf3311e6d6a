// What a bench run prints around its measurements: the heading, each case as a table or a SKIPPED
// line, and the closing summary. The missed targets and problems of every case are kept here so
// the summary can list them all at the end, after the tables they come from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { calibrate, environmentLine, formatTable, sinkValue } from './harness.mjs';

/**
 * The heading of a run: the title, the machine and node it runs on, and the allocation self-check.
 * `inputs` (a line saying what the cases read) goes before the self-check.
 */
export function printHeading(title, inputs) {
  console.log(`## ${title}\n`);
  console.log(environmentLine());
  if (inputs !== undefined) console.log(inputs);
  console.log(calibrate());
}

export class Report {
  /** Lines saying which speed target a case missed: printed, never fatal. */
  missed = [];
  /** Lines saying why a case could not run: printed, and the exit code is 1. */
  problems = [];
  /** How many case tables were printed. */
  measured = 0;

  problem(text) {
    this.problems.push(text);
  }

  /** A case that is not measured: its heading and why. */
  skipped(title, reason) {
    console.log(`### ${title}\n\nSKIPPED: ${reason}\n`);
  }

  /** A case's table (`rows[0]` is ours), then `extra` lines below it. */
  table(name, title, rows, extra = []) {
    const table = formatTable(name, title, rows);
    this.missed.push(...table.missed);
    this.measured++;
    console.log(`${[table.text, ...extra].join('\n')}\n`);
  }

  /**
   * What a case function returned: `{ name, title, problems }` when it could not be measured
   * (each problem is kept under the case's name; `skippedBecause` words the SKIPPED line from
   * them), else `{ name, title, rows, extra? }`, printed as its table.
   */
  case(result, { skippedBecause = (problems) => problems.join('; ') } = {}) {
    if (result.problems) {
      for (const p of result.problems) this.problem(`${result.name}: ${p}`);
      this.skipped(result.title, skippedBecause(result.problems));
      return;
    }
    this.table(result.name, result.title, result.rows, result.extra);
  }

  /**
   * The closing lines: missed targets (tests and benches do not assert on time), problems (a case
   * that could not run: exit code 1), and the checksum that keeps the JIT from dropping the
   * measured work.
   */
  finish() {
    const { measured, missed, problems } = this;
    if (measured === 0) console.log('No case measured.');
    else if (missed.length === 0) console.log('All speed targets met.');
    else console.log(`Speed targets missed:\n- ${missed.join('\n- ')}`);
    if (problems.length > 0) {
      console.log(`\nProblems:\n- ${problems.join('\n- ')}`);
      process.exitCode = 1;
    }
    console.log(`\n(checksum ${sinkValue()})`);
  }
}

/** A run whose lines are printed and kept, to be written to results/ at its end, with its problems. */
export class RecordedReport {
  lines = [];
  problems = [];

  say(text = '') {
    console.log(text);
    this.lines.push(text);
  }

  problem(text) {
    this.problems.push(text);
  }
}

/**
 * Writes a run's lines to `results` (a URL under tools/bench/results/). Only a full run replaces
 * the recorded figures: a few cases or --quick ones would not do.
 */
export function recordResults(results, lines, { quick, only }) {
  if (quick || only.length > 0) {
    console.log(`not written to ${results}: only a full run without --quick is recorded`);
    return;
  }
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(results, `${lines.join('\n')}\n`);
  console.log(`written to ${results}`);
}

// The tables of the connection benchmark: each row's median time, how the reference rows (procmon's
// whole-machine call, the pieces joined by hand) compare with it, and the targets below
// each table. A row that could not run (an API not merged yet, a tool not installed) stays in
// the table with its reason; a target that depends on it says "not measured" and why.

import { RecordedReport } from './report.mjs';

const int = (n) => Math.round(n).toLocaleString('en-US');
const x2 = (r) => `${r.toFixed(2)}x`;

/** A time in ns as the unit that reads best: "412 ns", "38.2 µs", "61.40 ms". */
export function timeText(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${int(ns)} ns`;
}

/** "2.10x faster" / "1.30x slower": how `mine` compares with `other` (both ns). */
export function speedText(mine, other) {
  const ratio = other / mine;
  return ratio >= 1 ? `${x2(ratio)} faster` : `${x2(1 / ratio)} slower`;
}

/** `subject` must be at least `x` times as fast as `against` (row keys). */
export const faster = (x, text, subject, against) => ({ text, subject, against, faster: x });
/** `subject` may take at most `x` times the time of `against`. */
export const within = (x, text, subject, against) => ({ text, subject, against, within: x });
/** `subject` must take less than `ns` nanoseconds. */
export const under = (ns, text, subject) => ({ text, subject, under: ns });

const missing = (row) => row === undefined || row.ns == null;

/** A target's figure from the rows: { shown, met } or { unmeasured: why }. */
export function evaluate(target, byKey) {
  const subject = byKey.get(target.subject);
  if (missing(subject)) return { unmeasured: subject?.why ?? `no row ${target.subject}` };
  if (target.under !== undefined) {
    return { shown: timeText(subject.ns), met: subject.ns < target.under };
  }
  const against = byKey.get(target.against);
  if (missing(against))
    return { unmeasured: `${target.against}: ${against?.why ?? 'no such row'}` };
  if (target.within !== undefined) {
    const value = subject.ns / against.ns;
    return { shown: `${x2(value)} the time`, met: value <= target.within };
  }
  const value = against.ns / subject.ns;
  return { shown: `${x2(value)} as fast`, met: value >= target.faster };
}

export class NetReport extends RecordedReport {
  /** Every target of every table: { table, text, figure }. */
  targets = [];

  /**
   * One table: rows `{ key, name, ns, why, note }` (ns null: not measured, `why` says why);
   * `refs` are `{ key, label }` rows compared with every other row in a column each.
   */
  table({ name, title, rows, refs = [], targets = [], extra = [] }) {
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const head = ['row', 'time/op (median)', ...refs.map((r) => `${r.label} vs this row`), 'note'];
    this.say(`### ${title}\n`);
    this.say(`| ${head.join(' | ')} |`);
    this.say(`|${head.map((h, i) => (i === 0 || h === 'note' ? '---' : '--:')).join('|')}|`);
    for (const row of rows) {
      const cells = [row.name, missing(row) ? '—' : timeText(row.ns)];
      for (const ref of refs) {
        const main = byKey.get(ref.key);
        cells.push(
          row === main || missing(row) || missing(main) ? '—' : speedText(main.ns, row.ns),
        );
      }
      cells.push(missing(row) ? `SKIPPED: ${row.why}` : (row.note ?? ''));
      this.say(`| ${cells.join(' | ')} |`);
    }
    if (targets.length > 0) this.say('');
    for (const target of targets) {
      const figure = evaluate(target, byKey);
      this.targets.push({ table: name, text: target.text, figure });
      this.say(`- target ${target.text}: ${figureText(figure)}`);
    }
    for (const line of extra) this.say(line);
    this.say('');
  }

  /** The closing summary: every target with its figure, then the problems (exit code 1). */
  finish() {
    if (this.targets.length > 0) {
      this.say('## Targets of issue #13\n');
      this.say('| table | target | figure |');
      this.say('|---|---|---|');
      for (const t of this.targets)
        this.say(`| ${t.table} | ${t.text} | ${figureText(t.figure)} |`);
      this.say('');
    }
    if (this.problems.length > 0) {
      this.say(`Problems:\n- ${this.problems.join('\n- ')}\n`);
      process.exitCode = 1;
    }
  }
}

function figureText(figure) {
  if (figure.unmeasured) return `not measured (${figure.unmeasured})`;
  return `${figure.shown}: **${figure.met ? 'met' : 'MISSED'}**`;
}

// The tables of the native bench: every row with its ns/op and its ratio to the C floor, the two
// procmon backends' ratios against every row, and the issue's targets below each table, checked
// for the native backend (the node backend's figure is printed beside it, for information).

import { RecordedReport } from './report.mjs';

const int = (n) => Math.round(n).toLocaleString('en-US');
const nsText = (n) => (n < 100 ? n.toFixed(1) : int(n));
const x2 = (r) => `${r.toFixed(2)}x`;

/** "2.10x faster" / "1.30x slower": how `mine` compares with `other` (both ns/op). */
function speedText(mine, other) {
  const ratio = other / mine;
  return ratio >= 1 ? `${x2(ratio)} faster` : `${x2(1 / ratio)} slower`;
}

/**
 * A target of the issue. `subject(backend)` and `against(backend)` name the rows compared (by
 * key) for a backend key ('native', 'node'); `within: x`: the subject may take at most x times
 * the other row's time; `faster: x`: the subject must be at least x times as fast.
 */
export const within = (x, text, subject, against) => ({ text, within: x, subject, against });
export const faster = (x, text, subject, against) => ({ text, faster: x, subject, against });

/**
 * A target's figure for one backend: { value, met, shown }, or { unmeasured } naming the row
 * that is missing (the backend's own, or the one it is compared with).
 */
function evaluate(target, byKey, backend) {
  const subject = byKey.get(target.subject(backend));
  const against = byKey.get(target.against(backend));
  if (!subject || !against) return { unmeasured: 'no such row' };
  if (subject.ns == null) return { unmeasured: subject.why };
  if (against.ns == null) return { unmeasured: `${against.key}: ${against.why}` };
  const mine = subject.ns;
  const other = against.ns;
  if (target.within !== undefined) {
    const value = mine / other;
    return { value, met: value <= target.within, shown: `${x2(value)} the time` };
  }
  const value = other / mine;
  return { value, met: value >= target.faster, shown: `${x2(value)} as fast` };
}

/** Whether a row of `rows` is missing: `ns` null, with the reason in `why`. */
const missing = (row) => row.ns == null;

export class NativeReport extends RecordedReport {
  /** Every target of every case: { name, text, native, node } (figures, or { unmeasured }). */
  targets = [];

  skipped(title, reason) {
    this.say(`### ${title}\n\nSKIPPED: ${reason}\n`);
  }

  /**
   * One case: `{ name, title, rows, targets, extra, compare }`. Rows are `{ key, name, ns, why,
   * note }`; `compare` (default true) adds the columns "native vs this row" and "node vs this
   * row", which compare the rows keyed `native` and `node` with every other row.
   */
  table({ name, title, rows, targets = [], extra = [], compare = true }) {
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const floor = byKey.get('c');
    const head = ['row', 'ns/op (median)'];
    if (floor) head.push('× C floor');
    const mains = compare ? ['native', 'node'].filter((k) => byKey.has(k)) : [];
    for (const k of mains) head.push(`${k} vs this row`);
    head.push('note');
    this.say(`### ${title}\n`);
    this.say(`| ${head.join(' | ')} |`);
    this.say(`|${head.map((h, i) => (i === 0 || h === 'note' ? '---' : '--:')).join('|')}|`);
    for (const row of rows) {
      const cells = [row.name, missing(row) ? '—' : nsText(row.ns)];
      if (floor) {
        cells.push(missing(row) || missing(floor) ? '—' : x2(row.ns / floor.ns));
      }
      for (const k of mains) {
        const main = byKey.get(k);
        if (row === main) cells.push('—');
        else if (missing(row) || missing(main)) cells.push('—');
        else cells.push(speedText(main.ns, row.ns));
      }
      cells.push(missing(row) ? `not measured: ${row.why}` : (row.note ?? ''));
      this.say(`| ${cells.join(' | ')} |`);
    }
    if (targets.length > 0) this.say('');
    for (const target of targets) {
      const native = evaluate(target, byKey, 'native');
      const node = evaluate(target, byKey, 'node');
      this.targets.push({ name, text: target.text, native, node });
      const nativeText = native.unmeasured
        ? `native: not measured (${native.unmeasured})`
        : `native ${native.shown}: **${native.met ? 'met' : 'MISSED'}**`;
      const nodeText = node.unmeasured
        ? `node: not measured (${node.unmeasured})`
        : `node ${node.shown} (${node.met ? 'would meet it' : 'would miss it'})`;
      this.say(`- target ${target.text}: ${nativeText}; ${nodeText}`);
    }
    for (const line of extra) this.say(line);
    this.say('');
  }

  /** The closing summary: every target with both backends' figures, then the problems. */
  finish() {
    if (this.targets.length > 0) {
      this.say('## Targets of issue #12\n');
      this.say('| case | target | native | node (info) |');
      this.say('|---|---|---|---|');
      const cell = (f) =>
        f.unmeasured ? 'not measured' : `${f.shown}: ${f.met ? 'met' : 'MISSED'}`;
      for (const t of this.targets) {
        this.say(`| ${t.name} | ${t.text} | ${cell(t.native)} | ${cell(t.node)} |`);
      }
      this.say('');
    }
    if (this.problems.length > 0) {
      this.say(`Problems:\n- ${this.problems.join('\n- ')}\n`);
      process.exitCode = 1;
    }
  }
}

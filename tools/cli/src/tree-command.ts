// `procmon tree <pid>`: the process, then each ancestor up to pid 1, nearest first.
import { parseStat } from '@procmon/parse';
import type { Process, TreeEntry } from '@procmon/process';
import { pc } from './colors.js';
import { pathText } from './format.js';
import type { SnapshotFacts } from './source-option.js';

export interface TreeReport {
  pid: number;
  tree: TreeEntry[];
  /**
   * From a snapshot of chosen processes (`snapshot -p`): the parent of the last entry, which the
   * snapshot does not hold, so the chain ends there and not at pid 1.
   */
  parentNotCaptured?: number;
}

export function treeOf(process: Process, snapshot?: SnapshotFacts): TreeReport {
  const report: TreeReport = { pid: process.pid, tree: process.tree() };
  const last = report.tree.at(-1);
  if (snapshot && last && last.pid !== 1) {
    const { ppid } = parseStat(process.procfs.readFile(last.pid, 'stat'));
    if (ppid !== 0 && !snapshot.manifest.pids.includes(ppid)) report.parentNotCaptured = ppid;
  }
  return report;
}

export function formatTree(report: TreeReport): string {
  const lines = treeLines(report.tree);
  if (report.parentNotCaptured !== undefined)
    lines.push(pc.dim(`  (its parent ${report.parentNotCaptured} is not in the snapshot)`));
  return lines.join('\n');
}

/** One line per entry, each ancestor indented one step further than the process below it. */
export function treeLines(tree: readonly TreeEntry[]): string[] {
  const width = Math.max(0, ...tree.map((entry) => String(entry.pid).length));
  return tree.map((entry, depth) => {
    const marker = depth === 0 ? '' : `${' '.repeat(2 * (depth - 1))}${pc.dim('└─')}`;
    return `  ${String(entry.pid).padStart(width)}  ${marker}${pathText(entry.path, entry.pathSource)}`;
  });
}

// `procmon tree <pid>`: the process, then each ancestor up to pid 1, nearest first.
import type { Process, TreeEntry } from '@procmon/process';
import { pc } from './colors.js';
import { pathText } from './format.js';

export interface TreeReport {
  pid: number;
  tree: TreeEntry[];
}

export function treeOf(process: Process): TreeReport {
  return { pid: process.pid, tree: process.tree() };
}

export function formatTree(report: TreeReport): string {
  return treeLines(report.tree).join('\n');
}

/** One line per entry, each ancestor indented one step further than the process below it. */
export function treeLines(tree: readonly TreeEntry[]): string[] {
  const width = Math.max(0, ...tree.map((entry) => String(entry.pid).length));
  return tree.map((entry, depth) => {
    const marker = depth === 0 ? '' : `${' '.repeat(2 * (depth - 1))}${pc.dim('└─')}`;
    return `  ${String(entry.pid).padStart(width)}  ${marker}${pathText(entry.path, entry.pathSource)}`;
  });
}

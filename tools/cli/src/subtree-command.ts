// `procmon tree <pid> --children`: the process and the whole subtree below it
// (Process.descendants), drawn as a tree: each child under its parent, in pid order.
import type { PathSource, Process, ProcessNode } from '@procmon/process';
import { pc } from './colors.js';
import { pathText } from './format.js';

export interface SubtreeEntry {
  pid: number;
  comm: string;
  /** As in `tree`: the binary, unless `pathSource` says it came from elsewhere. */
  path: string;
  pathSource: PathSource | 'gone';
  children: SubtreeEntry[];
}

export interface SubtreeReport {
  pid: number;
  subtree: SubtreeEntry;
}

export function subtreeOf(process: Process): SubtreeReport {
  const root = entryOf(process, process.descendants());
  return { pid: process.pid, subtree: root };
}

function entryOf(process: Process, children: readonly ProcessNode[]): SubtreeEntry {
  let path = process.comm;
  let pathSource: SubtreeEntry['pathSource'] = 'gone';
  try {
    const resolved = process.path();
    path = resolved.path;
    pathSource = resolved.source;
  } catch {
    // It exited after the walk found it: shown by its comm, marked gone.
  }
  return {
    pid: process.pid,
    comm: process.comm,
    path,
    pathSource,
    children: children.map((node) => entryOf(node.process, node.children)),
  };
}

export function formatSubtree(report: SubtreeReport): string {
  const rows: [number, string][] = [];
  const walk = (entry: SubtreeEntry, lead: string, branch: string) => {
    const name =
      entry.pathSource === 'gone'
        ? `${pathText(entry.path, 'comm')} ${pc.dim('(exited)')}`
        : pathText(entry.path, entry.pathSource, entry.comm);
    rows.push([entry.pid, `${lead}${pc.dim(branch)}${name}`]);
    entry.children.forEach((child, index) => {
      const last = index === entry.children.length - 1;
      const below = branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ';
      walk(child, lead + pc.dim(below), last ? '└─ ' : '├─ ');
    });
  };
  walk(report.subtree, '', '');
  const width = Math.max(...rows.map(([pid]) => String(pid).length));
  return rows.map(([pid, text]) => `  ${String(pid).padStart(width)}  ${text}`).join('\n');
}

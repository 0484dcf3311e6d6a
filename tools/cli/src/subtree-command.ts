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
  // Without recursion: a tree may be thousands deep (a chain of parents), past the call stack.
  const root = shownEntry(process);
  const pending: Array<[readonly ProcessNode[], SubtreeEntry[]]> = [[children, root.children]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [nodes, into] = next;
    for (const node of nodes) {
      const entry = shownEntry(node.process);
      into.push(entry);
      pending.push([node.children, entry.children]);
    }
  }
  return root;
}

/** One process as shown, without its children yet. */
function shownEntry(process: Process): SubtreeEntry {
  let path = process.comm;
  let pathSource: SubtreeEntry['pathSource'] = 'gone';
  try {
    const resolved = process.path();
    path = resolved.path;
    pathSource = resolved.source;
  } catch {
    // It exited after the walk found it: shown by its comm, marked gone.
  }
  return { pid: process.pid, comm: process.comm, path, pathSource, children: [] };
}

export function formatSubtree(report: SubtreeReport): string {
  const rows: [number, string][] = [];
  // Depth first with a stack of its own (children pushed last first), as entryOf.
  const pending: Array<[SubtreeEntry, string, string]> = [[report.subtree, '', '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [entry, lead, branch] = next;
    const name =
      entry.pathSource === 'gone'
        ? `${pathText(entry.path, 'comm')} ${pc.dim('(exited)')}`
        : pathText(entry.path, entry.pathSource, entry.comm);
    rows.push([entry.pid, `${lead}${pc.dim(branch)}${name}`]);
    const below = branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ';
    for (let index = entry.children.length - 1; index >= 0; index--) {
      const last = index === entry.children.length - 1;
      pending.push([
        entry.children[index] as SubtreeEntry,
        lead + pc.dim(below),
        last ? '└─ ' : '├─ ',
      ]);
    }
  }
  // Not Math.max(...rows): a spread of a hundred thousand rows overflows the stack too.
  const width = rows.reduce((widest, [pid]) => Math.max(widest, String(pid).length), 0);
  return rows.map(([pid, text]) => `  ${String(pid).padStart(width)}  ${text}`).join('\n');
}

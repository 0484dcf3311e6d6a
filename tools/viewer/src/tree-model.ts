// The process tree of a snapshot, and its search: parents from each stat's ppid (a process whose
// parent was not captured is a root), children in pid order; a search keeps the processes that
// match and every ancestor of one, so a match is always shown where it sits in the tree.
import type { ScannedProcess } from '@procmon/process';

export interface ProcessTree {
  roots: ScannedProcess[];
  children: Map<number, ScannedProcess[]>;
}

export function buildTree(processes: readonly ScannedProcess[]): ProcessTree {
  const pids = new Set(processes.map((process) => process.pid));
  const roots: ScannedProcess[] = [];
  const children = new Map<number, ScannedProcess[]>();
  // processes are in pid order, so each list of children is too.
  for (const process of processes) {
    if (process.ppid === process.pid || !pids.has(process.ppid)) {
      roots.push(process);
      continue;
    }
    const siblings = children.get(process.ppid);
    if (siblings) siblings.push(process);
    else children.set(process.ppid, [process]);
  }
  // Stat files of a hostile snapshot can make parents loop (1 under 2 under 1): nothing of a loop
  // hangs from a root, so its lowest pid becomes one, and no process goes unshown.
  const reached = new Set<number>();
  const reach = (from: ScannedProcess) => {
    const stack = [from];
    while (stack.length > 0) {
      const process = stack.pop() as ScannedProcess;
      if (reached.has(process.pid)) continue;
      reached.add(process.pid);
      stack.push(...(children.get(process.pid) ?? []));
    }
  };
  for (const root of roots) reach(root);
  for (const process of processes) {
    if (reached.has(process.pid)) continue;
    roots.push(process);
    reach(process);
  }
  return { roots, children };
}

/**
 * Whether a process matches a search: the pid or the uid (`uid:1000`, or the bare number as a
 * pid) exactly, else the text in its name, path or arguments, ignoring case.
 */
export function matches(
  process: ScannedProcess,
  query: string,
  uidOf: (pid: number) => number | undefined,
): boolean {
  const wanted = query.trim();
  if (wanted === '') return true;
  if (/^\d+$/.test(wanted)) return String(process.pid) === wanted;
  const uid = /^(?:uid|user):(\d+)$/i.exec(wanted);
  if (uid) return String(uidOf(process.pid)) === uid[1];
  const needle = wanted.toLowerCase();
  return [process.comm, process.path ?? '', process.command ?? ''].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

/** The pids to show for a search: each match and its ancestors; undefined when nothing is asked. */
export function visiblePids(
  processes: readonly ScannedProcess[],
  byPid: ReadonlyMap<number, ScannedProcess>,
  query: string,
  uidOf: (pid: number) => number | undefined,
): Set<number> | undefined {
  if (query.trim() === '') return undefined;
  const shown = new Set<number>();
  for (const process of processes) {
    if (!matches(process, query, uidOf)) continue;
    // Walk up until a process already shown (its ancestors are too) or a root; a loop in
    // hostile ppids stops at the first pid seen twice.
    let current: ScannedProcess | undefined = process;
    while (current && !shown.has(current.pid)) {
      shown.add(current.pid);
      current = current.ppid === current.pid ? undefined : byPid.get(current.ppid);
    }
  }
  return shown;
}

// The children of a process and its whole subtree, found as `ps` and psutil find them: by the
// parent pid in the stat of every process. A pid names a process only with its start time, so a
// child is taken only if it started no earlier than its parent (a pid reused by a younger
// process cannot have older children), and the parent is checked to be itself after the reads.
import { parseStat, type Stat } from '@procmon/parse';
import { all, type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';

/** Processes whose stats are read side by side in one step. */
const CHUNK = 64;

/** The stat of every process, in pid order; a process that exits during the walk is left out. */
export function* allStatsFlow(procfs: ProcFS): Flow<Stat[]> {
  const pids = (yield* procfs.flows.listPids()).sort((a, b) => a - b);
  const stats: Stat[] = [];
  for (let start = 0; start < pids.length; start += CHUNK) {
    const chunk = pids.slice(start, start + CHUNK);
    for (const stat of yield* all(chunk.map((pid) => statIfAlive(procfs, pid)))) {
      if (stat !== undefined) stats.push(stat);
    }
  }
  return stats;
}

function* statIfAlive(procfs: ProcFS, pid: number): Flow<Stat | undefined> {
  try {
    return parseStat(yield* procfs.flows.readFile(pid, 'stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) return undefined;
    throw error;
  }
}

/** A process of a subtree, with its own children (in pid order). */
export interface StatNode {
  stat: Stat;
  children: StatNode[];
}

/** The direct children of `parent` among `stats`, in pid order. */
export function childrenAmong(parent: Stat, stats: readonly Stat[]): Stat[] {
  return stats.filter(
    (stat) =>
      stat.ppid === parent.pid && stat.pid !== parent.pid && stat.startTime >= parent.startTime,
  );
}

/**
 * The subtree under `root` among `stats`: its children, theirs, and so on. Each process appears
 * once (a ppid cycle cannot come from the kernel, but a snapshot or fixture could hold one).
 */
export function subtreeAmong(root: Stat, stats: readonly Stat[]): StatNode[] {
  const byParent = new Map<number, Stat[]>();
  for (const stat of stats) {
    const siblings = byParent.get(stat.ppid);
    if (siblings === undefined) byParent.set(stat.ppid, [stat]);
    else siblings.push(stat);
  }
  const seen = new Set<number>([root.pid]);
  // Level by level with a queue of its own: a chain of parents a few thousand deep (one user's
  // processes, or a snapshot) overflowed the call stack when this recursed.
  const top: StatNode[] = [];
  const queue: Array<[Stat, StatNode[]]> = [[root, top]];
  for (let next = 0; next < queue.length; next++) {
    const [parent, into] = queue[next] as [Stat, StatNode[]];
    for (const stat of byParent.get(parent.pid) ?? []) {
      if (stat.startTime < parent.startTime || seen.has(stat.pid)) continue;
      seen.add(stat.pid);
      const node: StatNode = { stat, children: [] };
      into.push(node);
      queue.push([stat, node.children]);
    }
  }
  return top;
}

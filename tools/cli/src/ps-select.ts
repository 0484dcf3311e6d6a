// Which processes `procmon ps` shows and in what order: -u, -p and --name choose (a process is
// shown when it passes every one given), --sort orders (pid ascending breaks ties, as ps), and
// --forest puts children under their parents, siblings in the sort order.
import type { PsSort, PsSortKey } from './arguments.js';
import type { PsLine, PsOptions } from './ps-command.js';
import { GETENT, uidOfUser } from './users.js';

export function selectLines(
  lines: readonly PsLine[],
  options: PsOptions,
): { lines: PsLine[]; depths?: number[] } {
  const chosen = lines.filter(chooser(options));
  const sorted = [...chosen].sort(comparator(options.sort ?? []));
  if (!options.forest) return { lines: sorted };
  return forestOrder(sorted);
}

function chooser(options: PsOptions): (line: PsLine) => boolean {
  const tests: ((line: PsLine) => boolean)[] = [];
  if (options.pids) {
    const pids = new Set(options.pids);
    tests.push((line) => pids.has(line.pid));
  }
  if (options.users) {
    const uidOf = (user: string) =>
      options.source?.names.uidOfUser(user) ?? uidOfUser(user, options.lookup ?? GETENT);
    const uids = new Set(options.users.map(uidOf));
    tests.push((line) => line.uid !== undefined && uids.has(line.uid));
  }
  if (options.name !== undefined) {
    const name = options.name;
    tests.push((line) => line.comm.includes(name) || (line.path?.includes(name) ?? false));
  }
  return (line) => tests.every((test) => test(line));
}

type Value = number | string;

/** What a line is sorted by for each key; a missing value sorts first, as ps puts it. */
const SORT_VALUES: Record<PsSortKey, (line: PsLine) => Value> = {
  pid: (line) => line.pid,
  ppid: (line) => line.ppid,
  user: (line) => line.user ?? String(line.uid ?? ''),
  uid: (line) => line.uid ?? -1,
  '%cpu': (line) => line.cpuPercent,
  '%mem': (line) => line.memPercent ?? -1,
  vsz: (line) => line.virtualBytes,
  rss: (line) => line.residentBytes,
  stat: (line) => line.stat,
  start: (line) => line.startTime,
  time: (line) => line.cpuSeconds,
  comm: (line) => line.comm,
  command: (line) => line.command ?? line.comm,
  container: (line) => line.container?.id ?? '',
};

function comparator(sort: readonly PsSort[]): (a: PsLine, b: PsLine) => number {
  return (a, b) => {
    for (const { key, descending } of sort) {
      const order = compareValues(SORT_VALUES[key](a), SORT_VALUES[key](b));
      if (order !== 0) return descending ? -order : order;
    }
    return a.pid - b.pid;
  };
}

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Children under their parents, depth first, siblings in the order given. A line whose parent
 * is not shown starts a tree of its own, in the order given.
 */
export function forestOrder(sorted: readonly PsLine[]): { lines: PsLine[]; depths: number[] } {
  const shown = new Set(sorted.map((line) => line.pid));
  const childrenOf = new Map<number, PsLine[]>();
  for (const line of sorted) {
    if (line.pid === line.ppid || !shown.has(line.ppid)) continue;
    const siblings = childrenOf.get(line.ppid) ?? [];
    siblings.push(line);
    childrenOf.set(line.ppid, siblings);
  }
  const lines: PsLine[] = [];
  const depths: number[] = [];
  const placed = new Set<number>();
  // Depth first with a stack of its own: a chain of parents tens of thousands deep (a snapshot
  // can hold one) overflowed the call stack when this recursed.
  const visit = (root: PsLine) => {
    const stack: Array<[PsLine, number]> = [[root, 0]];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const [line, depth] = next;
      // A pid reused between reads could make a loop: each line is placed once.
      if (placed.has(line.pid)) continue;
      placed.add(line.pid);
      lines.push(line);
      depths.push(depth);
      const children = childrenOf.get(line.pid) ?? [];
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i] as PsLine, depth + 1]);
    }
  };
  for (const line of sorted) {
    if (line.pid === line.ppid || !shown.has(line.ppid)) visit(line);
  }
  // Lines on a loop of parents (none is a root) are still shown, as roots.
  for (const line of sorted) visit(line);
  return { lines, depths };
}

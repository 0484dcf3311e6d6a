// A process's parent and its chain of ancestors, as flows. A parent is read from stat now (a
// parent's exit reparents the child), and one that started after its child is a reused pid,
// not the parent: the chain ends there, as it does at a parent that exits while it is read.

import { parseStat, type Stat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { checked, type Identity } from './identity.js';
import type { PathSource, ResolvedPath } from './path.js';

/** One line of a process tree: the process, then each ancestor, nearest first. */
export interface TreeEntry {
  pid: number;
  /** As `ResolvedPath.path`: the binary, unless `pathSource` says it came from elsewhere. */
  path: string;
  /**
   * `exe` when `path` is the binary; `args` or `comm` when the exe link could not be read and
   * the path is what the process calls itself (which it chooses); `kernel` for a kernel thread;
   * `none` when the exe link is past PATH_MAX.
   */
  pathSource: PathSource;
}

/** What the tree flows need of a process. */
export interface TreeNode {
  readonly pid: number;
  readonly startTime: number;
  /** Its identity, checked after its path is read. */
  readonly identity: Identity;
  /** Its path, resolved (without the identity check). */
  pathFlow(): Flow<ResolvedPath>;
}

/** Where parents are found before they are read from /proc, and kept once read. */
export interface ParentCache<P> {
  peek(pid: number): P | undefined;
  add(process: P): void;
}

/** Where the tree flows read, and how they see processes of type P (a Process). */
export interface TreeContext<P extends { readonly pid: number; readonly startTime: number }> {
  procfs: ProcFS;
  cache: ParentCache<P> | undefined;
  /** A process for a parent read from its stat. */
  open(stat: Stat): P;
  /** What the flows need of a process. */
  node(process: P): TreeNode;
}

type Proc = { readonly pid: number; readonly startTime: number };

/** A tree deeper than this is not a real one (pid_max is 4 million, chains are short). */
const MAX_TREE_DEPTH = 1024;

/**
 * The parent of `child`, read from its stat now; undefined for pid 1 and kernel threads' root
 * (ppid 0), and when the parent exited: a parent that started after its child is a reused pid.
 */
export function* parentFlow<P extends Proc>(
  context: TreeContext<P>,
  child: P,
): Flow<P | undefined> {
  const { ppid } = yield* context.node(child).identity.current(context.procfs);
  if (ppid === 0) return undefined;
  const cached = context.cache?.peek(ppid);
  let stat: Stat;
  try {
    stat = parseStat(yield* context.procfs.flows.readFile(ppid, 'stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) return undefined;
    throw error;
  }
  // Started after its child: the parent exited and its pid went to someone else.
  if (stat.startTime > child.startTime) return undefined;
  if (cached && cached.startTime === stat.startTime) return cached;
  const parent = context.open(stat);
  context.cache?.add(parent);
  return parent;
}

/**
 * `process`, then each ancestor up to pid 1, nearest first, each with its path. An ancestor that
 * exited (or whose pid was reused) while the chain was read ends the chain; the process's own
 * exit is an error. A loop cannot happen.
 */
export function* treeFlow<P extends Proc>(context: TreeContext<P>, process: P): Flow<TreeEntry[]> {
  const own = yield* checkedPath(context, process);
  const entries: TreeEntry[] = [treeEntry(process.pid, own)];
  const seen = new Set([process.pid]);
  let current: P = process;
  while (current.pid !== 1 && entries.length < MAX_TREE_DEPTH) {
    let parent: P | undefined;
    let path: ResolvedPath;
    try {
      parent = yield* parentFlow(context, current);
      if (parent === undefined || seen.has(parent.pid)) break;
      // Checked after the read: a parent whose pid changed hands meanwhile is not listed with
      // the new holder's binary.
      path = yield* checkedPath(context, parent);
    } catch (error) {
      if ((current !== process || parent !== undefined) && error instanceof ProcessGoneError) break;
      throw error;
    }
    seen.add(parent.pid);
    entries.push(treeEntry(parent.pid, path));
    current = parent;
  }
  return entries;
}

/**
 * Whether `process` is a child of its parent in the firewall's sense: the parent runs the same
 * binary and is alive, or this pid is one of the parent's threads.
 */
export function* isChildFlow<P extends Proc>(context: TreeContext<P>, process: P): Flow<boolean> {
  const { ppid } = yield* context.node(process).identity.current(context.procfs);
  if (ppid === 0) return false;
  if (yield* context.procfs.flows.hasTask(ppid, process.pid)) return true;
  const parent = yield* parentFlow(context, process);
  if (parent === undefined) return false;
  let theirs: ResolvedPath;
  let alive: boolean;
  try {
    const node = context.node(parent);
    theirs = yield* node.pathFlow();
    // The parent's identity checked after its path was read; a zombie parent is not alive.
    alive = (yield* node.identity.current(context.procfs)).state !== 'Z';
  } catch (error) {
    if (error instanceof ProcessGoneError) return false;
    throw error;
  }
  const own = yield* checkedPath(context, process);
  return alive && own.source === 'exe' && theirs.source === 'exe' && theirs.path === own.path;
}

/** The path of `process`, its identity checked after it was read. */
function checkedPath<P extends Proc>(context: TreeContext<P>, process: P): Flow<ResolvedPath> {
  const node = context.node(process);
  return checked(context.procfs, node.identity, () => node.pathFlow());
}

function treeEntry(pid: number, resolved: ResolvedPath): TreeEntry {
  return { pid, path: resolved.path, pathSource: resolved.source };
}

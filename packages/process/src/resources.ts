// What a process uses of the machine beyond its stat: memory only it uses (smaps_rollup), the
// cgroups it is in and the container they name, its namespaces and its resource limits. Read
// side by side in one step, each on its own (a part that fails is a failure, the rest is
// kept), and checked like every collector: the stat after the reads must be this process's.
import {
  type CgroupContainer,
  containerOf,
  type LimitRow,
  NAMESPACE_TYPES,
  type NamespaceType,
  parseCgroup,
  parseLimits,
  parseNamespaceLink,
  parseSmapsRollup,
} from '@procmon/parse';
import { all, done, type Flow, type ProcFS } from '@procmon/procfs';
import { captured, type FieldFailure } from './errors.js';

/** From smaps_rollup (reading it needs the right to ptrace the process). */
export interface MemoryShares {
  /** Unique set size: private pages, what freeing this process would give back. */
  ussBytes: number;
  /** Proportional set size: each shared page divided among the processes mapping it. */
  pssBytes: number;
  swapBytes: number;
}

export interface Resources {
  /** Absent for a kernel thread (no user memory) or when smaps_rollup could not be read. */
  memory?: MemoryShares;
  /** Its cgroup paths, one per hierarchy (one on cgroup v2). */
  cgroups?: string[];
  /** The container its cgroup paths name, if any: only what the paths say (see containerOf). */
  container?: CgroupContainer;
  /** Namespace type → inode (`net` → 4026531840); two processes share one when these match. */
  namespaces?: Partial<Record<NamespaceType, number>>;
  limits?: LimitRow[];
  failures: FieldFailure[];
}

/** The parts of Resources, read for `pid`; `kernelThread` skips the memory a kernel thread lacks. */
export function* resourcesFlow(
  procfs: ProcFS,
  pid: number,
  kernelThread: boolean,
): Flow<Resources> {
  const failures: FieldFailure[] = [];
  const [memory, cgroups, namespaces, limits] = yield* all<
    [
      MemoryShares | undefined,
      string[] | undefined,
      Partial<Record<NamespaceType, number>> | undefined,
      LimitRow[] | undefined,
    ]
  >([
    kernelThread
      ? done(undefined)
      : captured(failures, 'smaps_rollup', function* () {
          const rollup = parseSmapsRollup(yield* procfs.flows.readFile(pid, 'smaps_rollup'));
          return { ussBytes: rollup.uss, pssBytes: rollup.pss, swapBytes: rollup.swap };
        }),
    captured(failures, 'cgroup', function* () {
      return parseCgroup(yield* procfs.flows.readFile(pid, 'cgroup')).map((entry) => entry.path);
    }),
    captured(failures, 'namespaces', () => namespacesFlow(procfs, pid)),
    captured(failures, 'limits', function* () {
      return parseLimits(yield* procfs.flows.readFile(pid, 'limits')).rows;
    }),
  ]);
  const resources: Resources = { failures };
  if (memory) resources.memory = memory;
  if (cgroups) {
    resources.cgroups = cgroups;
    const container = containerOf(cgroups);
    if (container) resources.container = container;
  }
  if (namespaces) resources.namespaces = namespaces;
  if (limits) resources.limits = limits;
  return resources;
}

function* namespacesFlow(
  procfs: ProcFS,
  pid: number,
): Flow<Partial<Record<NamespaceType, number>>> {
  const failures: FieldFailure[] = [];
  const links = yield* all(
    NAMESPACE_TYPES.map((type) =>
      captured(failures, type, () => procfs.flows.readNamespace(pid, type)),
    ),
  );
  // An older kernel has no time namespace: that link is simply not there. Any other failure
  // (permission, gone) is the failure of the whole part.
  const failure = failures.find((f) => (f.error as { code?: unknown }).code !== 'ENOENT');
  if (failure) throw failure.error;
  const namespaces: Partial<Record<NamespaceType, number>> = {};
  NAMESPACE_TYPES.forEach((type, index) => {
    const link = links[index];
    if (link !== undefined) namespaces[type] = parseNamespaceLink(link).inode;
  });
  return namespaces;
}

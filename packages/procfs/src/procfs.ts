// ProcFS: one value per /proc mount, and two faces over one set of flows (sync methods, and the
// same methods on `promises`). Each method is a flow of reads.ts, listings.ts, state.ts,
// executable.ts or machine-facts.ts run by the sync or the async runner: the two faces cannot
// drift apart, and other packages compose the same flows (`procfs.flows`) into their own.
import { checkFileName, checkMaxBytes, checkPid } from './arguments.js';
import { defaultBackend } from './backend-choice.js';
import { absolute, type ProcfsContext } from './context.js';
import { type Executable, readExe } from './executable.js';
import { type Backend, type Flow, runAsync, runSync } from './flow.js';
import { type FdEntry, listFds, listPids, listTaskFds, listTasks } from './listings.js';
import { type MachineFacts, machineFacts } from './machine-facts.js';
import { processSockets, type SocketDescriptors } from './process-sockets.js';
import type { ByteRange } from './read-ranges.js';
import {
  type NamespaceType,
  type RangeResult,
  type ReadOptions,
  readFdLink,
  readFile,
  readLink,
  readNamespace,
  readNetFile,
  readRanges,
  readSystemFile,
  readTaskFile,
} from './reads.js';
import { checkRootFolder } from './root-folder.js';
import { type ProcessState, processState } from './state.js';
import { existsInRoot, type FileStat, hasTask, statFd, statProcess } from './stats.js';

export interface ProcFSOptions {
  /**
   * Where procfs is mounted: `/proc` by default, `/host/proc` in a container that watches its
   * host, a fixture folder in tests. Every path is built from it.
   */
  root?: string | undefined;
  /**
   * The largest file a read returns, in bytes, unless a call says otherwise: a larger one is a
   * ProcfsError (code EFBIG) instead of unbounded memory. 64 MiB by default: `environ` and
   * `cmdline` stay under ARG_MAX (a few MiB), a large process's `maps` can pass 10 MiB.
   */
  maxBytes?: number | undefined;
  /**
   * How reads are carried out. Unless given: the native backend when its addon loads, else
   * `nodeBackend` (node:fs); PROCMON_BACKEND=node|native forces one (`procfsBackend()` says
   * which and why). A wrapper around a backend can watch or change what each op gives (tests
   * replay races this way).
   */
  backend?: Backend | undefined;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The flows behind every ProcFS method, bound to one ProcFS: building blocks for collectors
 * written as flows in other packages (run them with `procfs.run` or `procfs.runAsync`).
 */
export interface ProcFSFlows {
  readFile(pid: number, name: string, options?: ReadOptions): Flow<Uint8Array>;
  readTaskFile(pid: number, tid: number, name: string, options?: ReadOptions): Flow<Uint8Array>;
  readSystemFile(name: string, options?: ReadOptions): Flow<Uint8Array>;
  readNetFile(name: string, pid?: number, options?: ReadOptions): Flow<Uint8Array>;
  readLink(pid: number, name: string): Flow<Uint8Array>;
  readExe(pid: number): Flow<Executable>;
  readFdLink(pid: number, fd: number): Flow<Uint8Array>;
  readNamespace(pid: number | 'self', type: NamespaceType): Flow<Uint8Array>;
  readRanges(
    pid: number,
    name: string,
    ranges: readonly ByteRange[],
    options?: ReadOptions,
  ): Flow<RangeResult[]>;
  listPids(): Flow<number[]>;
  listTasks(pid: number): Flow<number[]>;
  listFds(pid: number): Flow<FdEntry[]>;
  listTaskFds(pid: number, tid: number): Flow<FdEntry[]>;
  processState(pid: number): Flow<ProcessState>;
  machineFacts(): Flow<MachineFacts>;
  /** See `statFd` in stats.ts: the file a descriptor is open on. */
  statFd(pid: number, fd: number): Flow<FileStat>;
  /** See `statProcess` in stats.ts: `<root>/<pid>`, whose owner is the process's effective uid. */
  statProcess(pid: number): Flow<FileStat>;
  /**
   * See `processSockets` in process-sockets.ts: a process's socket descriptors and its stat, in
   * one op (one native call for the whole set when batched), for a walk of socket holders.
   */
  processSockets(pid: number): Flow<SocketDescriptors>;
  /** Whether an absolute path (bytes) leads to something in the process's own root. */
  existsInRoot(pid: number, path: Uint8Array): Flow<boolean>;
  /** Whether `tid` is a thread of `pid`. */
  hasTask(pid: number, tid: number): Flow<boolean>;
}

/**
 * Raw reads of procfs under one mount point: bytes of a file, a link's target as bytes, a
 * folder's entries. Nothing is parsed here (that is @procmon/parse's job). Every method is
 * synchronous; `promises` has the same methods, with the same results, on asynchronous reads.
 *
 * Errors are the closed set of errors.ts: ProcessGoneError, PermissionDeniedError, ProcfsError.
 * A bad argument (a pid like -1 or "../1", a file name with "/") is a TypeError before any I/O.
 */
export class ProcFS implements ProcfsContext {
  readonly root: string;
  readonly maxBytes: number;
  /** The same reads, asynchronous. */
  readonly promises: ProcFSPromises;
  /** The flows behind the methods, for collectors of other packages. */
  readonly flows: ProcFSFlows;
  /** How reads are carried out. */
  readonly backend: Backend;

  constructor(options: ProcFSOptions = {}) {
    const root = options.root ?? '/proc';
    if (typeof root !== 'string' || root === '') {
      throw new TypeError(`root must be a folder path, got ${String(root)}`);
    }
    checkRootFolder(root);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    checkMaxBytes(maxBytes);
    this.root = root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root;
    this.maxBytes = maxBytes;
    this.backend = options.backend ?? defaultBackend();
    this.flows = flowsOf(this);
    this.promises = new ProcFSPromises(this);
  }

  /**
   * The absolute path of `<root>/<pid>/<name>...` (a link such as `exe`, or `ns`, `net`), for showing or
   * for handing to a program that opens it itself: the one place outside the flows that names
   * a path under the root.
   */
  pathOf(pid: number, ...names: string[]): string {
    checkPid(pid);
    for (const name of names) checkFileName(name);
    return absolute(this, [pid, ...names].join('/'));
  }

  /** See `readNamespace` in reads.ts: the namespace link of a process (`net:[4026531840]`). */
  readNamespace(pid: number | 'self', type: NamespaceType): Uint8Array {
    return this.run(this.flows.readNamespace(pid, type));
  }

  /** Runs a flow (of `flows`, or one composed of them) with synchronous reads. */
  run<T>(flow: Flow<T>): T {
    return runSync(flow, this);
  }

  /** Runs a flow with asynchronous reads: the event loop stays free while they run. */
  runAsync<T>(flow: Flow<T>): Promise<T> {
    return runAsync(flow, this);
  }

  /** `<root>/<pid>/<name>`, e.g. `readFile(pid, 'environ')`. */
  readFile(pid: number, name: string, options?: ReadOptions): Uint8Array {
    return this.run(this.flows.readFile(pid, name, options));
  }

  /** `<root>/<pid>/task/<tid>/<name>`: one thread's file. */
  readTaskFile(pid: number, tid: number, name: string, options?: ReadOptions): Uint8Array {
    return this.run(this.flows.readTaskFile(pid, tid, name, options));
  }

  /** `<root>/<name>`: a machine-wide file such as `stat`, `uptime`, `loadavg`. */
  readSystemFile(name: string, options?: ReadOptions): Uint8Array {
    return this.run(this.flows.readSystemFile(name, options));
  }

  /**
   * A socket table such as `tcp6` or `unix`: `<root>/net/<name>` (this process's network
   * namespace), or `<root>/<pid>/net/<name>` (that process's namespace) when a pid is given.
   */
  readNetFile(name: string, pid?: number, options?: ReadOptions): Uint8Array {
    return this.run(this.flows.readNetFile(name, pid, options));
  }

  /**
   * The target of a link of the process, raw: `exe`, `cwd` or `root` (a path, with the kernel's
   * ` (deleted)` suffix kept if it wrote one).
   */
  readLink(pid: number, name: 'exe' | 'cwd' | 'root' | (string & {})): Uint8Array {
    return this.run(this.flows.readLink(pid, name));
  }

  /**
   * The binary a process runs: its path, and whether it was deleted or replaced on disk, decided
   * from the kernel rather than from the ` (deleted)` text alone (a file may be named so). See
   * `Executable`. Throws as `readLink(pid, 'exe')` does: a kernel thread has no executable, a
   * path longer than PATH_MAX is a ProcfsError with code ENAMETOOLONG.
   */
  readExe(pid: number): Executable {
    return this.run(this.flows.readExe(pid));
  }

  /** The target of `<root>/<pid>/fd/<fd>`, raw (`socket:[123]`, `pipe:[456]`, a path, ...). */
  readFdLink(pid: number, fd: number): Uint8Array {
    return this.run(this.flows.readFdLink(pid, fd));
  }

  /**
   * Byte ranges of `<root>/<pid>/<name>` read at their positions, with one open: for `mem`,
   * whose readable parts are the mapped regions at their addresses. A range that fails is
   * reported in its slot; failing to open the file throws (PermissionDeniedError for another
   * user's `mem`). A range that came back shorter than asked from a process that is no longer
   * alive is a ProcessGoneError in its slot. The total length asked is capped by `maxBytes`
   * (the ProcFS default when absent): past it, a ProcfsError (code EFBIG) before any read.
   */
  readRanges(
    pid: number,
    name: string,
    ranges: readonly ByteRange[],
    options?: ReadOptions,
  ): RangeResult[] {
    return this.run(this.flows.readRanges(pid, name, ranges, options));
  }

  /** Every pid under the root, in the kernel's order. */
  listPids(): number[] {
    return this.run(this.flows.listPids());
  }

  /** The thread ids of a process (`<root>/<pid>/task/`); the first is the pid itself. */
  listTasks(pid: number): number[] {
    return this.run(this.flows.listTasks(pid));
  }

  /**
   * Every open descriptor of a process with its target, in one pass over `<root>/<pid>/fd/`.
   * A descriptor closed between the listing and its readlink is left out: it no longer exists.
   * A descriptor whose target cannot be read is an entry with `error` set and an empty target.
   * When the main thread has exited (pthread_exit) while other threads run, the descriptors are
   * read through a live thread.
   */
  listFds(pid: number): FdEntry[] {
    return this.run(this.flows.listFds(pid));
  }

  /**
   * The descriptors as one thread sees them (`<root>/<pid>/task/<tid>/fd/`). Threads created
   * with `CLONE_FILES` unset (unshare, some runtimes) hold descriptors the main thread's `fd/`
   * does not list.
   */
  listTaskFds(pid: number, tid: number): FdEntry[] {
    return this.run(this.flows.listTaskFds(pid, tid));
  }

  /**
   * `alive`, `zombie` or `gone`, from the state letter in `<root>/<pid>/stat`. A folder that is
   * still there is not enough: a zombie keeps its folder, and a process that exits between two
   * reads leaves one whose files fail. A main thread that called pthread_exit reads as a zombie
   * while other threads run: the process is then `alive` if any of `<root>/<pid>/task/*` is.
   */
  processState(pid: number): ProcessState {
    return this.run(this.flows.processState(pid));
  }

  /**
   * Page size, clock ticks per second and boot time, read once from `<root>/self/auxv` and
   * `<root>/stat`, then kept.
   */
  machineFacts(): MachineFacts {
    return this.run(this.flows.machineFacts());
  }
}

/** The asynchronous face of a ProcFS: the same methods, the same results, as Promises. */
export class ProcFSPromises {
  readonly #procfs: ProcFS;

  constructor(procfs: ProcFS) {
    this.#procfs = procfs;
  }

  /** See ProcFS.readFile. */
  readFile(pid: number, name: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readFile(pid, name, options));
  }

  /** See ProcFS.readTaskFile. */
  readTaskFile(pid: number, tid: number, name: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readTaskFile(pid, tid, name, options));
  }

  /** See ProcFS.readSystemFile. */
  readSystemFile(name: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readSystemFile(name, options));
  }

  /** See ProcFS.readNetFile. */
  readNetFile(name: string, pid?: number, options?: ReadOptions): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readNetFile(name, pid, options));
  }

  /** See ProcFS.readLink. */
  readLink(pid: number, name: 'exe' | 'cwd' | 'root' | (string & {})): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readLink(pid, name));
  }

  /** See ProcFS.readExe. */
  readExe(pid: number): Promise<Executable> {
    return this.#procfs.runAsync(this.#procfs.flows.readExe(pid));
  }

  /** See ProcFS.readFdLink. */
  readFdLink(pid: number, fd: number): Promise<Uint8Array> {
    return this.#procfs.runAsync(this.#procfs.flows.readFdLink(pid, fd));
  }

  /** See ProcFS.readRanges. */
  readRanges(
    pid: number,
    name: string,
    ranges: readonly ByteRange[],
    options?: ReadOptions,
  ): Promise<RangeResult[]> {
    return this.#procfs.runAsync(this.#procfs.flows.readRanges(pid, name, ranges, options));
  }

  /** See ProcFS.listPids. */
  listPids(): Promise<number[]> {
    return this.#procfs.runAsync(this.#procfs.flows.listPids());
  }

  /** See ProcFS.listTasks. */
  listTasks(pid: number): Promise<number[]> {
    return this.#procfs.runAsync(this.#procfs.flows.listTasks(pid));
  }

  /** See ProcFS.listFds. */
  listFds(pid: number): Promise<FdEntry[]> {
    return this.#procfs.runAsync(this.#procfs.flows.listFds(pid));
  }

  /** See ProcFS.listTaskFds. */
  listTaskFds(pid: number, tid: number): Promise<FdEntry[]> {
    return this.#procfs.runAsync(this.#procfs.flows.listTaskFds(pid, tid));
  }

  /** See ProcFS.processState. */
  processState(pid: number): Promise<ProcessState> {
    return this.#procfs.runAsync(this.#procfs.flows.processState(pid));
  }

  /** See ProcFS.machineFacts; the facts are kept on the ProcFS, shared by both call styles. */
  machineFacts(): Promise<MachineFacts> {
    return this.#procfs.runAsync(this.#procfs.flows.machineFacts());
  }
}

/** The flows of `procfs`, each bound to it. */
function flowsOf(procfs: ProcFS): ProcFSFlows {
  return {
    readFile: (pid, name, options) => readFile(procfs, pid, name, options),
    readTaskFile: (pid, tid, name, options) => readTaskFile(procfs, pid, tid, name, options),
    readSystemFile: (name, options) => readSystemFile(procfs, name, options),
    readNetFile: (name, pid, options) => readNetFile(procfs, name, pid, options),
    readLink: (pid, name) => readLink(procfs, pid, name),
    readExe: (pid) => readExe(procfs, pid),
    readFdLink: (pid, fd) => readFdLink(procfs, pid, fd),
    readNamespace: (pid, type) => readNamespace(procfs, pid, type),
    readRanges: (pid, name, ranges, options) => readRanges(procfs, pid, name, ranges, options),
    listPids: () => listPids(procfs),
    listTasks: (pid) => listTasks(procfs, pid),
    listFds: (pid) => listFds(procfs, pid),
    listTaskFds: (pid, tid) => listTaskFds(procfs, pid, tid),
    processState: (pid) => processStateChecked(procfs, pid),
    machineFacts: () => machineFacts(procfs),
    statFd: (pid, fd) => statFd(procfs, pid, fd),
    statProcess: (pid) => statProcess(procfs, pid),
    processSockets: (pid) => processSockets(procfs, pid),
    existsInRoot: (pid, path) => existsInRoot(pid, path),
    hasTask: (pid, tid) => hasTask(pid, tid),
  };
}

function* processStateChecked(context: ProcfsContext, pid: number): Flow<ProcessState> {
  checkPid(pid);
  return yield* processState(context, pid);
}

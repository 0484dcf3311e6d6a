import { readdir, readdirSync, readlink, readlinkSync, statSync } from 'node:fs';
import { stat as statAsync } from 'node:fs/promises';
import { checkFd, checkFileName, checkMaxBytes, checkPid, checkRanges } from './arguments.js';
import { ProcessGoneError, ProcfsError, toProcfsError } from './errors.js';
import {
  type Executable,
  type ExeFileStat,
  executableFrom,
  hasDeletedMark,
  markedNamePath,
} from './executable.js';
import { bootTimeFromStat, factsFromAuxv, type MachineFacts } from './machine-facts.js';
import { readFileToEnd, readFileToEndAsync } from './read-file.js';
import {
  type ByteRange,
  type RawRangeResult,
  readRangesAsync,
  readRangesSync,
} from './read-ranges.js';

export interface ProcFSOptions {
  /**
   * Where procfs is mounted: `/proc` by default, `/host/proc` in a container that watches its
   * host, a fixture folder in tests. Every path is built from it.
   */
  root?: string;
  /**
   * The largest file a read returns, in bytes, unless a call says otherwise: a larger one is a
   * ProcfsError (code EFBIG) instead of unbounded memory. 64 MiB by default: `environ` and
   * `cmdline` stay under ARG_MAX (a few MiB), a large process's `maps` can pass 10 MiB.
   */
  maxBytes?: number;
}

export interface ReadOptions {
  /** This read's size cap, in bytes; the ProcFS default when absent. */
  maxBytes?: number;
}

/**
 * One open descriptor: its number and its link target, raw (`socket:[123]`, a path, ...). When
 * the target could not be read (ENAMETOOLONG for a path past PATH_MAX, EACCES, ...), `error`
 * says why and `target` is empty: one unreadable descriptor does not hide the others. The
 * targets of one listing are views of one shared ArrayBuffer.
 */
export interface FdEntry {
  fd: number;
  target: Uint8Array;
  /** Why the target could not be read; `target` is then empty. */
  error?: ProcfsError;
}

export type { ByteRange };

/**
 * One range of `readRanges`: its bytes (fewer than asked if the file ended first), or why it
 * could not be read (a ProcfsError, e.g. code EIO for a region of `mem` the kernel refuses).
 */
export type RangeResult = { bytes: Uint8Array } | { error: ProcfsError };

/**
 * Whether a pid names a process: `alive` (running, sleeping, stopped, ...), `zombie` (exited,
 * not yet reaped by its parent: its folder exists, its files are mostly empty), `gone`.
 */
export type ProcessState = 'alive' | 'zombie' | 'gone';

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
// Link targets are read as latin1 strings (one character per byte, so nothing is lost) and
// written into one fresh ArrayBuffer per call: no fresh buffer per link when a process holds
// thousands of descriptors, and no view into Node's shared Buffer pool, where a target's
// `.buffer` would reach other data of this process.
const LINK_ENCODING = 'latin1';

/** Plain Uint8Arrays over one new ArrayBuffer holding the bytes of each latin1 string. */
function latin1Bytes(targets: readonly string[]): Uint8Array[] {
  let total = 0;
  for (const target of targets) total += target.length;
  const all = new Uint8Array(total);
  const views: Uint8Array[] = [];
  let offset = 0;
  for (const target of targets) {
    for (let i = 0; i < target.length; i++) all[offset + i] = target.charCodeAt(i);
    views.push(all.subarray(offset, offset + target.length));
    offset += target.length;
  }
  return views;
}

const linkBytes = (target: string): Uint8Array => latin1Bytes([target])[0] as Uint8Array;

/**
 * Raw reads of procfs under one mount point: bytes of a file, a link's target as bytes, a
 * folder's entries. Nothing is parsed here (that is @procmon/parse's job). Every method is
 * synchronous; `promises` has the same methods, with the same results, on the asynchronous fs
 * calls.
 *
 * Errors are the closed set of errors.ts: ProcessGoneError, PermissionDeniedError, ProcfsError.
 * A bad argument (a pid like -1 or "../1", a file name with "/") is a TypeError before any I/O.
 */
export class ProcFS {
  readonly root: string;
  readonly maxBytes: number;
  /** The same reads, asynchronous. */
  readonly promises: ProcFSPromises;
  private facts: MachineFacts | undefined;

  constructor(options: ProcFSOptions = {}) {
    const root = options.root ?? '/proc';
    if (typeof root !== 'string' || root === '') {
      throw new TypeError(`root must be a folder path, got ${String(root)}`);
    }
    let isFolder = false;
    try {
      isFolder = statSync(root).isDirectory();
    } catch {
      // reported below
    }
    if (!isFolder) throw new TypeError(`root must be a folder, and ${root} is not one`);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    checkMaxBytes(maxBytes);
    this.root = root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root;
    this.maxBytes = maxBytes;
    this.promises = new ProcFSPromises(this);
  }

  /** `<root>/<pid>/<name>`, e.g. `readFile(pid, 'environ')`. */
  readFile(pid: number, name: string, options?: ReadOptions): Uint8Array {
    checkPid(pid);
    checkFileName(name);
    const path = `${this.root}/${pid}/${name}`;
    const bytes = this.read(path, pid, options);
    if (bytes.length === 0) {
      // A zombie's cmdline, maps, environ are empty: empty is data only for a live process.
      const gone = emptyButGone(pid, path, this.processState(pid));
      if (gone) throw gone;
    }
    return bytes;
  }

  /** `<root>/<pid>/task/<tid>/<name>`: one thread's file. */
  readTaskFile(pid: number, tid: number, name: string, options?: ReadOptions): Uint8Array {
    checkPid(pid);
    checkPid(tid, 'tid');
    checkFileName(name);
    return this.read(`${this.root}/${pid}/task/${tid}/${name}`, pid, options, tid);
  }

  /** `<root>/<name>`: a machine-wide file such as `stat`, `uptime`, `loadavg`. */
  readSystemFile(name: string, options?: ReadOptions): Uint8Array {
    checkFileName(name);
    return this.read(`${this.root}/${name}`, undefined, options);
  }

  /**
   * A socket table such as `tcp6` or `unix`: `<root>/net/<name>` (this process's network
   * namespace), or `<root>/<pid>/net/<name>` (that process's namespace) when a pid is given.
   */
  readNetFile(name: string, pid?: number, options?: ReadOptions): Uint8Array {
    checkFileName(name, 'net file name');
    if (pid === undefined) return this.read(`${this.root}/net/${name}`, undefined, options);
    checkPid(pid);
    return this.read(`${this.root}/${pid}/net/${name}`, pid, options);
  }

  /**
   * The target of a link of the process, raw: `exe`, `cwd` or `root` (a path, with the kernel's
   * ` (deleted)` suffix kept if it wrote one).
   */
  readLink(pid: number, name: 'exe' | 'cwd' | 'root' | (string & {})): Uint8Array {
    checkPid(pid);
    checkFileName(name, 'link name');
    const path = `${this.root}/${pid}/${name}`;
    try {
      return linkBytes(readlinkSync(path, LINK_ENCODING));
    } catch (error) {
      // The main thread called pthread_exit while others run: its links are gone, the
      // process's are still there through a live thread.
      const tid = isGone(error) && TASK_LINKS.has(name) ? this.liveTaskOfZombie(pid) : undefined;
      if (tid !== undefined) return this.link(`${this.root}/${pid}/task/${tid}/${name}`, pid, tid);
      throw this.zombieAware(error, pid, path, 'read the link');
    }
  }

  /**
   * The binary a process runs: its path, and whether it was deleted or replaced on disk, decided
   * from the kernel rather than from the ` (deleted)` text alone (a file may be named so). See
   * `Executable`. Throws as `readLink(pid, 'exe')` does: a kernel thread has no executable, a
   * path longer than PATH_MAX is a ProcfsError with code ENAMETOOLONG.
   */
  readExe(pid: number): Executable {
    const link = this.readLink(pid, 'exe');
    if (!hasDeletedMark(link)) return executableFrom(link, undefined, undefined);
    return executableFrom(
      link,
      fileStatSync(`${this.root}/${pid}/exe`),
      fileStatSync(markedNamePath(this.root, pid, link)),
    );
  }

  /** The target of `<root>/<pid>/fd/<fd>`, raw (`socket:[123]`, `pipe:[456]`, a path, ...). */
  readFdLink(pid: number, fd: number): Uint8Array {
    checkPid(pid);
    checkFd(fd);
    return this.link(`${this.root}/${pid}/fd/${fd}`, pid);
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
    checkPid(pid);
    checkFileName(name);
    const checked = checkRanges(ranges);
    const path = `${this.root}/${pid}/${name}`;
    this.checkRangesTotal(checked, pid, path, options);
    let results: RawRangeResult[];
    try {
      results = readRangesSync(path, checked);
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read');
    }
    const state = anyShort(results, checked) ? this.processState(pid) : 'alive';
    return rangeResults(results, checked, pid, path, state);
  }

  /** @internal EFBIG before any read when the ranges ask for more than the cap. */
  checkRangesTotal(
    ranges: readonly ByteRange[],
    pid: number,
    path: string,
    options: ReadOptions | undefined,
  ): void {
    const maxBytes = this.capFor(options);
    let total = 0;
    for (const range of ranges) total += range.length;
    if (total > maxBytes) {
      throw new ProcfsError(
        `cannot read ${path}: the ranges ask for ${total} bytes, more than the ${maxBytes}-byte cap (raise maxBytes to read them)`,
        { pid, path, code: 'EFBIG' },
      );
    }
  }

  /** @internal */
  rangeResult(result: RawRangeResult, pid: number, path: string): RangeResult {
    return 'error' in result ? { error: toProcfsError(result.error, pid, path, 'read') } : result;
  }

  /** Every pid under the root, in the kernel's order. */
  listPids(): number[] {
    return numericNames(this.list(this.root, undefined));
  }

  /** The thread ids of a process (`<root>/<pid>/task/`); the first is the pid itself. */
  listTasks(pid: number): number[] {
    checkPid(pid);
    return numericNames(this.list(`${this.root}/${pid}/task`, pid));
  }

  /**
   * Every open descriptor of a process with its target, in one pass over `<root>/<pid>/fd/`.
   * A descriptor closed between the listing and its readlink is left out: it no longer exists.
   * A descriptor whose target cannot be read is an entry with `error` set and an empty target.
   * When the main thread has exited (pthread_exit) while other threads run, the descriptors are
   * read through a live thread.
   */
  listFds(pid: number): FdEntry[] {
    checkPid(pid);
    return this.fds(`${this.root}/${pid}/fd`, pid, undefined, true);
  }

  /**
   * The descriptors as one thread sees them (`<root>/<pid>/task/<tid>/fd/`). Threads created
   * with `CLONE_FILES` unset (unshare, some runtimes) hold descriptors the main thread's `fd/`
   * does not list.
   */
  listTaskFds(pid: number, tid: number): FdEntry[] {
    checkPid(pid);
    checkPid(tid, 'tid');
    return this.fds(`${this.root}/${pid}/task/${tid}/fd`, pid, tid, false);
  }

  /**
   * `alive`, `zombie` or `gone`, from the state letter in `<root>/<pid>/stat`. A folder that is
   * still there is not enough: a zombie keeps its folder, and a process that exits between two
   * reads leaves one whose files fail. A main thread that called pthread_exit reads as a zombie
   * while other threads run: the process is then `alive` if any of `<root>/<pid>/task/*` is.
   */
  processState(pid: number): ProcessState {
    checkPid(pid);
    const state = statStateSync(`${this.root}/${pid}/stat`, pid);
    if (state !== 'zombie') return state;
    return this.firstLiveTask(pid) === undefined ? 'zombie' : 'alive';
  }

  /**
   * Page size, clock ticks per second and boot time, read once from `<root>/self/auxv` and
   * `<root>/stat`, then kept.
   */
  machineFacts(): MachineFacts {
    if (this.facts) return this.facts;
    return this.rememberFacts(this.read(this.auxvPath(), undefined), this.readSystemFile('stat'));
  }

  /** @internal The facts if a call already read them. */
  knownFacts(): MachineFacts | undefined {
    return this.facts;
  }

  /** @internal */
  auxvPath(): string {
    return `${this.root}/self/auxv`;
  }

  /** @internal Machine facts from the bytes of `self/auxv` and `stat`, kept for later calls. */
  rememberFacts(auxvBytes: Uint8Array, statBytes: Uint8Array): MachineFacts {
    const auxv = factsFromAuxv(auxvBytes);
    const bootTimeSeconds = bootTimeFromStat(statBytes);
    if (!auxv || bootTimeSeconds === undefined) {
      const path = auxv ? `${this.root}/stat` : this.auxvPath();
      const problem = auxv ? 'has no btime line' : 'has no page size or clock ticks';
      throw new ProcfsError(`cannot tell the machine facts: ${path} ${problem}`, {
        pid: undefined,
        path,
        code: 'EINVAL',
      });
    }
    this.facts = { ...auxv, bootTimeSeconds };
    return this.facts;
  }

  /**
   * @internal Maps an fs error on a per-process path (see `classifyError`), reading the
   * process's state (and the thread's, for a task path) when the error says "gone".
   */
  zombieAware(
    error: unknown,
    pid: number | undefined,
    path: string,
    action: string,
    tid?: number,
  ): ProcfsError {
    if (pid === undefined || !isGone(error)) return classifyError(error, pid, path, action);
    let state: ProcessState | undefined;
    try {
      state = this.stateOf(pid, tid);
    } catch {
      state = undefined;
    }
    return classifyError(error, pid, path, action, state, tid);
  }

  /** @internal The process's state, narrowed to the thread's own when a tid is given. */
  stateOf(pid: number, tid: number | undefined): ProcessState {
    const state = this.processState(pid);
    if (state !== 'alive' || tid === undefined) return state;
    return statStateSync(`${this.root}/${pid}/task/${tid}/stat`, pid);
  }

  /** @internal */
  capFor(options: ReadOptions | undefined): number {
    const maxBytes = options?.maxBytes ?? this.maxBytes;
    checkMaxBytes(maxBytes);
    return maxBytes;
  }

  /** A thread other than the main one that is not a zombie, or undefined. */
  private firstLiveTask(pid: number): number | undefined {
    let names: string[];
    try {
      names = readdirSync(`${this.root}/${pid}/task`);
    } catch {
      return undefined;
    }
    for (const tid of numericNames(names)) {
      if (tid === pid) continue;
      try {
        if (statStateSync(`${this.root}/${pid}/task/${tid}/stat`, pid) === 'alive') return tid;
      } catch {
        // a thread whose state cannot be told is not evidence of life
      }
    }
    return undefined;
  }

  /** A live thread when the main thread is a zombie (it called pthread_exit), or undefined. */
  private liveTaskOfZombie(pid: number): number | undefined {
    try {
      if (statStateSync(`${this.root}/${pid}/stat`, pid) !== 'zombie') return undefined;
    } catch {
      return undefined;
    }
    return this.firstLiveTask(pid);
  }

  private read(
    path: string,
    pid: number | undefined,
    options?: ReadOptions,
    tid?: number,
  ): Uint8Array {
    const maxBytes = this.capFor(options);
    try {
      return readFileToEnd({ path, pid, maxBytes });
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read', tid);
    }
  }

  private link(path: string, pid: number, tid?: number): Uint8Array {
    try {
      return linkBytes(readlinkSync(path, LINK_ENCODING));
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read the link', tid);
    }
  }

  private list(path: string, pid: number | undefined, tid?: number): string[] {
    try {
      return readdirSync(path);
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'list', tid);
    }
  }

  private fds(folder: string, pid: number, tid: number | undefined, main: boolean): FdEntry[] {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch (error) {
      const live = main && isGone(error) ? this.liveTaskOfZombie(pid) : undefined;
      if (live !== undefined)
        return this.fds(`${this.root}/${pid}/task/${live}/fd`, pid, live, false);
      throw this.zombieAware(error, pid, folder, 'list', tid);
    }
    if (main && names.length === 0) {
      const live = this.liveTaskOfZombie(pid);
      if (live !== undefined)
        return this.fds(`${this.root}/${pid}/task/${live}/fd`, pid, live, false);
    }
    const numbers: number[] = [];
    const targets: (string | ProcfsError)[] = [];
    let vanished = false;
    for (const name of names) {
      const path = `${folder}/${name}`;
      try {
        targets.push(readlinkSync(path, LINK_ENCODING));
        numbers.push(Number(name));
      } catch (error) {
        if (isGone(error)) vanished = true;
        else {
          targets.push(toProcfsError(error, pid, path, 'read the link'));
          numbers.push(Number(name));
        }
      }
    }
    if (names.length === 0 || vanished) {
      const gone = goneMeanwhile(pid, folder, this.stateOf(pid, tid));
      if (gone) throw gone;
    }
    return fdEntries(numbers, targets);
  }
}

/** The asynchronous twin of ProcFS: the same methods, the same results, as Promises. */
export class ProcFSPromises {
  constructor(private readonly procfs: ProcFS) {}

  /** See ProcFS.readFile. */
  async readFile(pid: number, name: string, options?: ReadOptions): Promise<Uint8Array> {
    checkPid(pid);
    checkFileName(name);
    const path = `${this.procfs.root}/${pid}/${name}`;
    const bytes = await this.read(path, pid, options);
    if (bytes.length === 0) {
      const gone = emptyButGone(pid, path, await this.processState(pid));
      if (gone) throw gone;
    }
    return bytes;
  }

  /** See ProcFS.readTaskFile. */
  async readTaskFile(
    pid: number,
    tid: number,
    name: string,
    options?: ReadOptions,
  ): Promise<Uint8Array> {
    checkPid(pid);
    checkPid(tid, 'tid');
    checkFileName(name);
    return this.read(`${this.procfs.root}/${pid}/task/${tid}/${name}`, pid, options, tid);
  }

  /** See ProcFS.readSystemFile. */
  async readSystemFile(name: string, options?: ReadOptions): Promise<Uint8Array> {
    checkFileName(name);
    return this.read(`${this.procfs.root}/${name}`, undefined, options);
  }

  /** See ProcFS.readNetFile. */
  async readNetFile(name: string, pid?: number, options?: ReadOptions): Promise<Uint8Array> {
    checkFileName(name, 'net file name');
    if (pid === undefined) return this.read(`${this.procfs.root}/net/${name}`, undefined, options);
    checkPid(pid);
    return this.read(`${this.procfs.root}/${pid}/net/${name}`, pid, options);
  }

  /** See ProcFS.readLink. */
  async readLink(pid: number, name: 'exe' | 'cwd' | 'root' | (string & {})): Promise<Uint8Array> {
    checkPid(pid);
    checkFileName(name, 'link name');
    const path = `${this.procfs.root}/${pid}/${name}`;
    try {
      return linkBytes(await readlinkAsync(path));
    } catch (error) {
      const tid =
        isGone(error) && TASK_LINKS.has(name) ? await this.liveTaskOfZombie(pid) : undefined;
      if (tid !== undefined) {
        return this.link(`${this.procfs.root}/${pid}/task/${tid}/${name}`, pid, tid);
      }
      throw await this.zombieAware(error, pid, path, 'read the link');
    }
  }

  /** See ProcFS.readExe. */
  async readExe(pid: number): Promise<Executable> {
    const link = await this.readLink(pid, 'exe');
    if (!hasDeletedMark(link)) return executableFrom(link, undefined, undefined);
    const [exe, named] = await Promise.all([
      fileStatAsync(`${this.procfs.root}/${pid}/exe`),
      fileStatAsync(markedNamePath(this.procfs.root, pid, link)),
    ]);
    return executableFrom(link, exe, named);
  }

  /** See ProcFS.readFdLink. */
  async readFdLink(pid: number, fd: number): Promise<Uint8Array> {
    checkPid(pid);
    checkFd(fd);
    return this.link(`${this.procfs.root}/${pid}/fd/${fd}`, pid);
  }

  /** See ProcFS.readRanges. */
  async readRanges(
    pid: number,
    name: string,
    ranges: readonly ByteRange[],
    options?: ReadOptions,
  ): Promise<RangeResult[]> {
    checkPid(pid);
    checkFileName(name);
    const checked = checkRanges(ranges);
    const path = `${this.procfs.root}/${pid}/${name}`;
    this.procfs.checkRangesTotal(checked, pid, path, options);
    let results: RawRangeResult[];
    try {
      results = await readRangesAsync(path, checked);
    } catch (error) {
      throw await this.zombieAware(error, pid, path, 'read');
    }
    const state = anyShort(results, checked) ? await this.processState(pid) : 'alive';
    return rangeResults(results, checked, pid, path, state);
  }

  /** See ProcFS.listPids. */
  async listPids(): Promise<number[]> {
    return numericNames(await this.list(this.procfs.root, undefined));
  }

  /** See ProcFS.listTasks. */
  async listTasks(pid: number): Promise<number[]> {
    checkPid(pid);
    return numericNames(await this.list(`${this.procfs.root}/${pid}/task`, pid));
  }

  /** See ProcFS.listFds. */
  async listFds(pid: number): Promise<FdEntry[]> {
    checkPid(pid);
    return this.fds(`${this.procfs.root}/${pid}/fd`, pid, undefined, true);
  }

  /** See ProcFS.listTaskFds. */
  async listTaskFds(pid: number, tid: number): Promise<FdEntry[]> {
    checkPid(pid);
    checkPid(tid, 'tid');
    return this.fds(`${this.procfs.root}/${pid}/task/${tid}/fd`, pid, tid, false);
  }

  /** See ProcFS.processState. */
  async processState(pid: number): Promise<ProcessState> {
    checkPid(pid);
    const state = await statStateAsync(`${this.procfs.root}/${pid}/stat`, pid);
    if (state !== 'zombie') return state;
    return (await this.firstLiveTask(pid)) === undefined ? 'zombie' : 'alive';
  }

  /** See ProcFS.machineFacts; the facts are kept on the ProcFS, shared by both call styles. */
  async machineFacts(): Promise<MachineFacts> {
    const known = this.procfs.knownFacts();
    if (known) return known;
    const [auxv, stat] = await Promise.all([
      this.read(this.procfs.auxvPath(), undefined),
      this.readSystemFile('stat'),
    ]);
    return this.procfs.rememberFacts(auxv, stat);
  }

  /**
   * @internal ProcFS.zombieAware with the state read asynchronously: no sync I/O hides in an
   * async error path.
   */
  async zombieAware(
    error: unknown,
    pid: number | undefined,
    path: string,
    action: string,
    tid?: number,
  ): Promise<ProcfsError> {
    if (pid === undefined || !isGone(error)) return classifyError(error, pid, path, action);
    let state: ProcessState | undefined;
    try {
      state = await this.stateOf(pid, tid);
    } catch {
      state = undefined;
    }
    return classifyError(error, pid, path, action, state, tid);
  }

  private async stateOf(pid: number, tid: number | undefined): Promise<ProcessState> {
    const state = await this.processState(pid);
    if (state !== 'alive' || tid === undefined) return state;
    return statStateAsync(`${this.procfs.root}/${pid}/task/${tid}/stat`, pid);
  }

  private async firstLiveTask(pid: number): Promise<number | undefined> {
    let names: string[];
    try {
      names = await readdirAsync(`${this.procfs.root}/${pid}/task`);
    } catch {
      return undefined;
    }
    for (const tid of numericNames(names)) {
      if (tid === pid) continue;
      try {
        const path = `${this.procfs.root}/${pid}/task/${tid}/stat`;
        if ((await statStateAsync(path, pid)) === 'alive') return tid;
      } catch {
        // a thread whose state cannot be told is not evidence of life
      }
    }
    return undefined;
  }

  private async liveTaskOfZombie(pid: number): Promise<number | undefined> {
    try {
      const state = await statStateAsync(`${this.procfs.root}/${pid}/stat`, pid);
      if (state !== 'zombie') return undefined;
    } catch {
      return undefined;
    }
    return this.firstLiveTask(pid);
  }

  private async read(
    path: string,
    pid: number | undefined,
    options?: ReadOptions,
    tid?: number,
  ): Promise<Uint8Array> {
    const maxBytes = this.procfs.capFor(options);
    try {
      return await readFileToEndAsync({ path, pid, maxBytes });
    } catch (error) {
      throw await this.zombieAware(error, pid, path, 'read', tid);
    }
  }

  private async link(path: string, pid: number, tid?: number): Promise<Uint8Array> {
    try {
      return linkBytes(await readlinkAsync(path));
    } catch (error) {
      throw await this.zombieAware(error, pid, path, 'read the link', tid);
    }
  }

  private async list(path: string, pid: number | undefined, tid?: number): Promise<string[]> {
    try {
      return await readdirAsync(path);
    } catch (error) {
      throw await this.zombieAware(error, pid, path, 'list', tid);
    }
  }

  private async fds(
    folder: string,
    pid: number,
    tid: number | undefined,
    main: boolean,
  ): Promise<FdEntry[]> {
    let names: string[];
    try {
      names = await readdirAsync(folder);
    } catch (error) {
      const live = main && isGone(error) ? await this.liveTaskOfZombie(pid) : undefined;
      if (live !== undefined) {
        return this.fds(`${this.procfs.root}/${pid}/task/${live}/fd`, pid, live, false);
      }
      throw await this.zombieAware(error, pid, folder, 'list', tid);
    }
    if (main && names.length === 0) {
      const live = await this.liveTaskOfZombie(pid);
      if (live !== undefined) {
        return this.fds(`${this.procfs.root}/${pid}/task/${live}/fd`, pid, live, false);
      }
    }
    const targets = await Promise.all(
      names.map((name) =>
        readlinkAsync(`${folder}/${name}`).then(
          (target): string | ProcfsError | undefined => target,
          (error: unknown) =>
            isGone(error)
              ? undefined
              : toProcfsError(error, pid, `${folder}/${name}`, 'read the link'),
        ),
      ),
    );
    const numbers: number[] = [];
    const found: (string | ProcfsError)[] = [];
    for (let i = 0; i < names.length; i++) {
      const target = targets[i];
      if (target === undefined) continue;
      numbers.push(Number(names[i]));
      found.push(target);
    }
    if (names.length === 0 || found.length < names.length) {
      const gone = goneMeanwhile(pid, folder, await this.stateOf(pid, tid));
      if (gone) throw gone;
    }
    return fdEntries(numbers, found);
  }
}

/** stat (following links) as the facts `executableFrom` compares, or the errno code. */
function fileStatSync(path: string | Buffer): ExeFileStat | string {
  try {
    const { dev, ino, nlink } = statSync(path, { bigint: true });
    return { dev, ino, nlink };
  } catch (error) {
    return (error as { code?: string }).code ?? 'UNKNOWN';
  }
}

async function fileStatAsync(path: string | Buffer): Promise<ExeFileStat | string> {
  try {
    const { dev, ino, nlink } = await statAsync(path, { bigint: true });
    return { dev, ino, nlink };
  } catch (error) {
    return (error as { code?: string }).code ?? 'UNKNOWN';
  }
}

/** The links a thread's folder has too, read through a live thread when the main one exited. */
const TASK_LINKS = new Set(['exe', 'cwd', 'root']);

function readlinkAsync(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    readlink(path, LINK_ENCODING, (error, target) => (error ? reject(error) : resolve(target)));
  });
}

function readdirAsync(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    readdir(path, (error, names) => (error ? reject(error) : resolve(names)));
  });
}

/**
 * Maps an fs error on a path, given what is known of the process's state (a pure function: the
 * caller reads the state, synchronously or not). A missing file does not always mean a missing
 * process: a zombie keeps its folder but loses its links and fd/, and a kernel thread is alive
 * with no `exe`. So on ENOENT/ESRCH the state decides: gone, zombie (still ProcessGoneError,
 * with `zombie` set), or alive (a plain ProcfsError: the process is there, the file is not).
 * With a `tid`, the state is the thread's (a thread that exited is gone). An unknown state
 * (undefined) leaves the errno's verdict.
 */
export function classifyError(
  error: unknown,
  pid: number | undefined,
  path: string,
  action: string,
  state?: ProcessState,
  tid?: number,
): ProcfsError {
  const mapped = toProcfsError(error, pid, path, action);
  if (!(mapped instanceof ProcessGoneError) || pid === undefined || state === undefined) {
    return mapped;
  }
  const who = tid === undefined ? `process ${pid}` : `thread ${tid} of process ${pid}`;
  const details = { pid, path, code: mapped.code, cause: mapped.cause };
  if (state === 'zombie') {
    return new ProcessGoneError(`cannot ${action} ${path}: ${who} is a zombie`, {
      ...details,
      zombie: true,
    });
  }
  if (state === 'alive') {
    return new ProcfsError(
      `cannot ${action} ${path}: ${who} is alive but has no such file (${mapped.code})${path.endsWith('/exe') ? ': kernel threads have no executable' : ''}`,
      details,
    );
  }
  if (tid !== undefined) {
    return new ProcessGoneError(
      `cannot ${action} ${path}: ${who} is gone (${mapped.code})`,
      details,
    );
  }
  return mapped;
}

/** The state letter of a stat file; a missing one is `gone`. */
function statStateSync(path: string, pid: number): ProcessState {
  let stat: Uint8Array;
  try {
    stat = readFileToEnd({ path, pid, maxBytes: 4096 });
  } catch (error) {
    const mapped = toProcfsError(error, pid, path, 'read');
    if (mapped instanceof ProcessGoneError) return 'gone';
    throw mapped;
  }
  return stateFromStat(stat, pid, path);
}

async function statStateAsync(path: string, pid: number): Promise<ProcessState> {
  let stat: Uint8Array;
  try {
    stat = await readFileToEndAsync({ path, pid, maxBytes: 4096 });
  } catch (error) {
    const mapped = toProcfsError(error, pid, path, 'read');
    if (mapped instanceof ProcessGoneError) return 'gone';
    throw mapped;
  }
  return stateFromStat(stat, pid, path);
}

/** An empty read of a process that is not alive: its files were empty because it is gone. */
function emptyButGone(
  pid: number,
  path: string,
  state: ProcessState,
): ProcessGoneError | undefined {
  if (state === 'alive') return undefined;
  return new ProcessGoneError(
    state === 'zombie'
      ? `cannot read ${path}: process ${pid} is a zombie (the file is empty)`
      : `cannot read ${path}: process ${pid} exited while it was read (the file is empty)`,
    { pid, path, code: 'ENOENT', zombie: state === 'zombie' },
  );
}

/** Whether any range came back with fewer bytes than asked. */
function anyShort(results: readonly RawRangeResult[], ranges: readonly ByteRange[]): boolean {
  return results.some(
    (result, i) => 'bytes' in result && result.bytes.length < (ranges[i]?.length ?? 0),
  );
}

/** Raw range results as RangeResults; short ranges of a process not alive are gone. */
function rangeResults(
  results: readonly RawRangeResult[],
  ranges: readonly ByteRange[],
  pid: number,
  path: string,
  state: ProcessState,
): RangeResult[] {
  return results.map((result, i) => {
    if ('error' in result) return { error: toProcfsError(result.error, pid, path, 'read') };
    if (state === 'alive' || result.bytes.length >= (ranges[i]?.length ?? 0)) return result;
    return {
      error: new ProcessGoneError(
        state === 'zombie'
          ? `cannot read ${path}: process ${pid} is a zombie (the range came back short)`
          : `cannot read ${path}: process ${pid} exited while it was read (the range came back short)`,
        { pid, path, code: 'ESRCH', zombie: state === 'zombie' },
      ),
    };
  });
}

/**
 * After an empty fd listing or a vanished link: a closed descriptor is normal, but a process
 * that exited or became a zombie meanwhile (a zombie's fd/ lists nothing) must not read as one
 * that holds no descriptors.
 */
function goneMeanwhile(
  pid: number,
  path: string,
  state: ProcessState,
): ProcessGoneError | undefined {
  if (state === 'alive') return undefined;
  return new ProcessGoneError(
    state === 'zombie'
      ? `cannot list ${path}: process ${pid} is a zombie`
      : `cannot list ${path}: process ${pid} exited while it was read`,
    { pid, path, code: 'ENOENT', zombie: state === 'zombie' },
  );
}

function fdEntries(numbers: number[], targets: (string | ProcfsError)[]): FdEntry[] {
  const bytes = latin1Bytes(targets.map((target) => (typeof target === 'string' ? target : '')));
  return numbers.map((fd, i) => {
    const target = targets[i];
    if (target instanceof ProcfsError) return { fd, target: new Uint8Array(0), error: target };
    return { fd, target: bytes[i] as Uint8Array };
  });
}

function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** The names that are decimal numbers, as numbers (pids, tids), in listing order. */
function numericNames(names: string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    if (isPidName(name)) numbers.push(Number(name));
  }
  return numbers;
}

function isPidName(name: string): boolean {
  if (name.length === 0 || name.length > 15 || name.charCodeAt(0) === 0x30) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

const CLOSE_PAREN = 0x29;

/**
 * The state letter after comm's last ")": Z is a zombie, X (dead) is as good as gone. A stat
 * without one is not something to guess about.
 */
function stateFromStat(stat: Uint8Array, pid: number, path: string): ProcessState {
  const close = stat.lastIndexOf(CLOSE_PAREN);
  const letter = close === -1 ? undefined : stat[close + 2];
  if (letter === undefined || stat[close + 1] !== 0x20) {
    throw new ProcfsError(`cannot tell the state of process ${pid}: ${path} has no state letter`, {
      pid,
      path,
      code: 'EINVAL',
    });
  }
  if (letter === 0x5a) return 'zombie'; // Z
  if (letter === 0x58 || letter === 0x78) return 'gone'; // X, x
  return 'alive';
}

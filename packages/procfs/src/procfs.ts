import { readdir, readdirSync, readlink, readlinkSync, statSync } from 'node:fs';
import { checkFd, checkFileName, checkMaxBytes, checkPid, checkRanges } from './arguments.js';
import { ProcessGoneError, ProcfsError, toProcfsError } from './errors.js';
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

/** One open descriptor: its number and its link target, raw (`socket:[123]`, a path, ...). */
export interface FdEntry {
  fd: number;
  target: Uint8Array;
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
    return this.read(`${this.root}/${pid}/${name}`, pid, options);
  }

  /** `<root>/<pid>/task/<tid>/<name>`: one thread's file. */
  readTaskFile(pid: number, tid: number, name: string, options?: ReadOptions): Uint8Array {
    checkPid(pid);
    checkPid(tid, 'tid');
    checkFileName(name);
    return this.read(`${this.root}/${pid}/task/${tid}/${name}`, pid, options);
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
    return this.link(`${this.root}/${pid}/${name}`, pid);
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
   * user's `mem`).
   */
  readRanges(pid: number, name: string, ranges: readonly ByteRange[]): RangeResult[] {
    checkPid(pid);
    checkFileName(name);
    checkRanges(ranges);
    const path = `${this.root}/${pid}/${name}`;
    let results: RawRangeResult[];
    try {
      results = readRangesSync(path, ranges);
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read');
    }
    return results.map((result) => this.rangeResult(result, pid, path));
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
   */
  listFds(pid: number): FdEntry[] {
    checkPid(pid);
    return this.fds(`${this.root}/${pid}/fd`, pid);
  }

  /**
   * The descriptors as one thread sees them (`<root>/<pid>/task/<tid>/fd/`). Threads created
   * with `CLONE_FILES` unset (unshare, some runtimes) hold descriptors the main thread's `fd/`
   * does not list.
   */
  listTaskFds(pid: number, tid: number): FdEntry[] {
    checkPid(pid);
    checkPid(tid, 'tid');
    return this.fds(`${this.root}/${pid}/task/${tid}/fd`, pid);
  }

  /**
   * `alive`, `zombie` or `gone`, from the state letter in `<root>/<pid>/stat`. A folder that is
   * still there is not enough: a zombie keeps its folder, and a process that exits between two
   * reads leaves one whose files fail.
   */
  processState(pid: number): ProcessState {
    checkPid(pid);
    let stat: Uint8Array;
    try {
      stat = readFileToEnd({ path: `${this.root}/${pid}/stat`, pid, maxBytes: 4096 });
    } catch (error) {
      const mapped = toProcfsError(error, pid, `${this.root}/${pid}/stat`, 'read');
      if (mapped instanceof ProcessGoneError) return 'gone';
      throw mapped;
    }
    return stateFromStat(stat, pid, `${this.root}/${pid}/stat`);
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
   * @internal Maps an fs error on a per-process path. A missing file does not always mean a
   * missing process: a zombie keeps its folder but loses its links and fd/, and a kernel thread
   * is alive with no `exe`. So on ENOENT the process's state decides: gone, zombie (still
   * ProcessGoneError, with `zombie` set), or alive (a plain ProcfsError: the process is there,
   * the file is not).
   */
  zombieAware(error: unknown, pid: number | undefined, path: string, action: string): ProcfsError {
    const mapped = toProcfsError(error, pid, path, action);
    if (!(mapped instanceof ProcessGoneError) || pid === undefined) return mapped;
    let state: ProcessState;
    try {
      state = this.processState(pid);
    } catch {
      return mapped;
    }
    const details = { pid, path, code: mapped.code, cause: mapped.cause };
    if (state === 'zombie') {
      return new ProcessGoneError(`cannot ${action} ${path}: process ${pid} is a zombie`, {
        ...details,
        zombie: true,
      });
    }
    if (state === 'alive') {
      return new ProcfsError(
        `cannot ${action} ${path}: process ${pid} is alive but has no such file (${mapped.code})${path.endsWith('/exe') ? ': kernel threads have no executable' : ''}`,
        details,
      );
    }
    return mapped;
  }

  /** @internal */
  capFor(options: ReadOptions | undefined): number {
    const maxBytes = options?.maxBytes ?? this.maxBytes;
    checkMaxBytes(maxBytes);
    return maxBytes;
  }

  private read(path: string, pid: number | undefined, options?: ReadOptions): Uint8Array {
    const maxBytes = this.capFor(options);
    try {
      return readFileToEnd({ path, pid, maxBytes });
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read');
    }
  }

  private link(path: string, pid: number): Uint8Array {
    try {
      return linkBytes(readlinkSync(path, LINK_ENCODING));
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'read the link');
    }
  }

  private list(path: string, pid: number | undefined): string[] {
    try {
      return readdirSync(path);
    } catch (error) {
      throw this.zombieAware(error, pid, path, 'list');
    }
  }

  private fds(folder: string, pid: number): FdEntry[] {
    const numbers: number[] = [];
    const targets: string[] = [];
    let vanished = false;
    const names = this.list(folder, pid);
    for (const name of names) {
      try {
        targets.push(readlinkSync(`${folder}/${name}`, LINK_ENCODING));
        numbers.push(Number(name));
      } catch (error) {
        if (!isGone(error))
          throw this.zombieAware(error, pid, `${folder}/${name}`, 'read the link');
        vanished = true;
      }
    }
    if (names.length === 0 || vanished) {
      const gone = goneMeanwhile(pid, folder, this.processState(pid));
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
    return this.read(`${this.procfs.root}/${pid}/${name}`, pid, options);
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
    return this.read(`${this.procfs.root}/${pid}/task/${tid}/${name}`, pid, options);
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
    return this.link(`${this.procfs.root}/${pid}/${name}`, pid);
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
  ): Promise<RangeResult[]> {
    checkPid(pid);
    checkFileName(name);
    checkRanges(ranges);
    const path = `${this.procfs.root}/${pid}/${name}`;
    let results: RawRangeResult[];
    try {
      results = await readRangesAsync(path, ranges);
    } catch (error) {
      throw this.procfs.zombieAware(error, pid, path, 'read');
    }
    return results.map((result) => this.procfs.rangeResult(result, pid, path));
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
    return this.fds(`${this.procfs.root}/${pid}/fd`, pid);
  }

  /** See ProcFS.listTaskFds. */
  async listTaskFds(pid: number, tid: number): Promise<FdEntry[]> {
    checkPid(pid);
    checkPid(tid, 'tid');
    return this.fds(`${this.procfs.root}/${pid}/task/${tid}/fd`, pid);
  }

  /** See ProcFS.processState. */
  async processState(pid: number): Promise<ProcessState> {
    checkPid(pid);
    const path = `${this.procfs.root}/${pid}/stat`;
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

  private async read(
    path: string,
    pid: number | undefined,
    options?: ReadOptions,
  ): Promise<Uint8Array> {
    const maxBytes = this.procfs.capFor(options);
    try {
      return await readFileToEndAsync({ path, pid, maxBytes });
    } catch (error) {
      throw this.procfs.zombieAware(error, pid, path, 'read');
    }
  }

  private link(path: string, pid: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      readlink(path, LINK_ENCODING, (error, target) => {
        if (error) reject(this.procfs.zombieAware(error, pid, path, 'read the link'));
        else resolve(linkBytes(target));
      });
    });
  }

  private list(path: string, pid: number | undefined): Promise<string[]> {
    return new Promise((resolve, reject) => {
      readdir(path, (error, names) => {
        if (error) reject(this.procfs.zombieAware(error, pid, path, 'list'));
        else resolve(names);
      });
    });
  }

  private async fds(folder: string, pid: number): Promise<FdEntry[]> {
    const names = await this.list(folder, pid);
    const targets = await Promise.all(
      names.map(
        (name) =>
          new Promise<string | undefined>((resolve, reject) => {
            readlink(`${folder}/${name}`, LINK_ENCODING, (error, target) => {
              if (!error) resolve(target);
              else if (isGone(error)) resolve(undefined);
              else
                reject(this.procfs.zombieAware(error, pid, `${folder}/${name}`, 'read the link'));
            });
          }),
      ),
    );
    const numbers: number[] = [];
    const found: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const target = targets[i];
      if (target === undefined) continue;
      numbers.push(Number(names[i]));
      found.push(target);
    }
    if (names.length === 0 || found.length < names.length) {
      const gone = goneMeanwhile(pid, folder, await this.processState(pid));
      if (gone) throw gone;
    }
    return fdEntries(numbers, found);
  }
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

function fdEntries(numbers: number[], targets: string[]): FdEntry[] {
  const bytes = latin1Bytes(targets);
  return numbers.map((fd, i) => ({ fd, target: bytes[i] as Uint8Array }));
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

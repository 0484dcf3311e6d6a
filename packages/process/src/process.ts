// The process model: one process, known by (pid, start time), with the reference's collectors
// (details, parent chain and tree, extra info, checksums) in a sync and an async form.

import {
  type ChecksumCache,
  type ChecksumSource,
  type Checksums,
  dumpImage,
  dumpImageAsync,
  type MemoryImage,
  type ProcessChecksum,
  processChecksum,
  processChecksumAsync,
} from '@procmon/hash';
import { parseStat, type Stat } from '@procmon/parse';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import type { ProcessCache } from './cache.js';
import { procfsOf } from './default-procfs.js';
import { detailsFlow, type ProcessDetails } from './details.js';
import { type FieldFailure, fieldFailure, PidReusedError, ProgramChangedError } from './errors.js';
import {
  checkExtraInfoFields,
  EXTRA_INFO_FIELDS,
  type ExtraInfo,
  type ExtraInfoOptions,
  extraInfoFlow,
} from './extra-info.js';
import { exists, type Flow, type FlowContext, readFile, runAsync, runSync } from './flow.js';
import { imageOf, isLoading, MAX_READINGS, type ProgramImage, sameImage } from './image.js';
import { isKernelThread, type PathSource, type ResolvedPath, resolvePath } from './path.js';
import { defaultSocketLookup, type SocketLookup } from './sockets.js';

export interface ProcessOptions {
  /** Where to read; a shared ProcFS on /proc unless given. */
  procfs?: ProcFS | undefined;
  /** Parents are looked up here first, and parents read from /proc are added to it. */
  cache?: ProcessCache | undefined;
  /**
   * Resolves the sockets behind descriptors: a shared @procmon/netsock SocketResolver unless
   * given (on /proc only; see `defaultSocketLookup`); `false` leaves sockets unresolved.
   */
  sockets?: SocketLookup | false | undefined;
  /** Checksums of binaries by (device, inode, size, mtime, ctime), shared between processes. */
  checksumCache?: ChecksumCache | undefined;
}

export interface DetailsOptions {
  /**
   * Return undefined for the calling process itself, as the reference does (a firewall does not
   * ask about its own connections). False unless set.
   */
  skipSelf?: boolean | undefined;
}

/** One line of a process tree: the process, then each ancestor, nearest first. */
export interface TreeEntry {
  pid: number;
  /** As `ResolvedPath.path`: the binary, unless `pathSource` says it came from elsewhere. */
  path: string;
  /**
   * `exe` when `path` is the binary; `args` or `comm` when the exe link could not be read and
   * the path is what the process calls itself (which it chooses); `kernel` for a kernel thread.
   */
  pathSource: PathSource;
}

function treeEntry(pid: number, resolved: ResolvedPath): TreeEntry {
  return { pid, path: resolved.path, pathSource: resolved.source };
}

/** A tree deeper than this is not a real one (pid_max is 4 million, chains are short). */
const MAX_TREE_DEPTH = 1024;

export class Process {
  readonly pid: number;
  /** Clock ticks after boot when it started (stat field 22): with pid, its identity. */
  readonly startTime: number;
  /** The parent pid when it was opened (a parent's exit reparents it: `parent()` reads it anew). */
  readonly ppid: number;
  /** The command name when it was opened. */
  readonly comm: string;
  readonly options: ProcessOptions;
  /** PF_KTHREAD: a kernel thread (fixed for its life). */
  readonly kernelThread: boolean;
  readonly #checksums: Checksums = {};
  #checksumSource: ChecksumSource | undefined;
  // The program it runs, as imageOf saw it at the last identity check (first: when opened). A
  // new object only when the program changed or was being loaded, so `this.#image === before`
  // means no exec was seen since `before` was taken.
  #image: ProgramImage;

  /**
   * Opens a process: reads its stat for the start time. Throws TypeError for a pid that is not
   * a positive integer, ProcessGoneError when it does not exist.
   */
  static open(pid: number, options: ProcessOptions = {}): Process {
    return new Process(readStatOf(procfsOf(options), pid), options);
  }

  static async openAsync(pid: number, options: ProcessOptions = {}): Promise<Process> {
    const procfs = procfsOf(options);
    return new Process(parseStat(await procfs.promises.readFile(pid, 'stat')), options);
  }

  /** A process from a stat the caller already read (a scan, a cache). */
  constructor(stat: Stat, options: ProcessOptions = {}) {
    this.pid = stat.pid;
    this.startTime = stat.starttime;
    this.ppid = stat.ppid;
    this.comm = stat.comm;
    this.kernelThread = isKernelThread(stat);
    this.options = options;
    this.#image = imageOf(stat);
  }

  get procfs(): ProcFS {
    return procfsOf(this.options);
  }

  /** Throws PidReusedError if the pid now belongs to another process, ProcessGoneError if it exited. */
  verify(): Stat {
    return this.run(this.currentStat());
  }

  async verifyAsync(): Promise<Stat> {
    return this.runAsync(this.currentStat());
  }

  /** Running, and still this process: a zombie, an exited process or a reused pid is not alive. */
  isAlive(): boolean {
    try {
      return this.verify().state !== 'Z';
    } catch (error) {
      if (error instanceof ProcessGoneError) return false;
      throw error;
    }
  }

  async isAliveAsync(): Promise<boolean> {
    try {
      return (await this.verifyAsync()).state !== 'Z';
    } catch (error) {
      if (error instanceof ProcessGoneError) return false;
      throw error;
    }
  }

  /**
   * Path, comm, arguments, cwd and environment (the reference's GetDetails). A field that could
   * not be read is missing and listed in `failures`. Throws PidReusedError when the pid changed
   * hands during the reads (nothing of two processes is mixed), ProcessGoneError when the process
   * exited before anything was read.
   */
  details(options: DetailsOptions & { skipSelf: true }): ProcessDetails | undefined;
  details(options?: DetailsOptions & { skipSelf?: false | undefined }): ProcessDetails;
  details(options?: DetailsOptions): ProcessDetails | undefined;
  details(options: DetailsOptions = {}): ProcessDetails | undefined {
    if (options.skipSelf && this.isSelf()) return undefined;
    return this.run(this.collected(() => this.detailsFlow(), detailsReadNothing, this.addComm));
  }

  detailsAsync(options: DetailsOptions & { skipSelf: true }): Promise<ProcessDetails | undefined>;
  detailsAsync(
    options?: DetailsOptions & { skipSelf?: false | undefined },
  ): Promise<ProcessDetails>;
  detailsAsync(options?: DetailsOptions): Promise<ProcessDetails | undefined>;
  async detailsAsync(options: DetailsOptions = {}): Promise<ProcessDetails | undefined> {
    if (options.skipSelf && this.isSelf()) return undefined;
    return this.runAsync(
      this.collected(() => this.detailsFlow(), detailsReadNothing, this.addComm),
    );
  }

  /** The binary's path alone, resolved as in `details()` (no arguments: no args[0] fallback). */
  path(): ResolvedPath {
    return this.run(this.checkedPath());
  }

  async pathAsync(): Promise<ResolvedPath> {
    return this.runAsync(this.checkedPath());
  }

  /**
   * The parent, read from stat now (a parent's exit reparents a process). Undefined for pid 1
   * and kernel threads' root (ppid 0), and when the parent exited: a parent that started after
   * this process is a reused pid, not the parent.
   */
  parent(): Process | undefined {
    return this.run(this.parentFlow());
  }

  async parentAsync(): Promise<Process | undefined> {
    return this.runAsync(this.parentFlow());
  }

  /**
   * The reference's BuildTree: this process, then each ancestor up to pid 1, nearest first, each
   * with its path. A parent that exited ends the chain; a loop cannot happen.
   */
  tree(): TreeEntry[] {
    return this.run(this.treeFlow());
  }

  async treeAsync(): Promise<TreeEntry[]> {
    return this.runAsync(this.treeFlow());
  }

  /**
   * The reference's GetExtraInfo: environment, descriptors (with sockets when a lookup is set),
   * io, status, stat, kernel stack, maps and statm. Failures per field, as in `details()`.
   */
  extraInfo(options: ExtraInfoOptions = {}): ExtraInfo {
    return this.run(this.collected(...this.extraInfoParts(options)));
  }

  async extraInfoAsync(options: ExtraInfoOptions = {}): Promise<ExtraInfo> {
    return this.runAsync(this.collected(...this.extraInfoParts(options)));
  }

  /**
   * As the reference: the parent runs the same binary and is alive, or this pid is one of the
   * parent's tasks (`<root>/<ppid>/task/<pid>` exists).
   */
  isChild(): boolean {
    return this.run(this.isChildFlow());
  }

  async isChildAsync(): Promise<boolean> {
    return this.runAsync(this.isChildFlow());
  }

  /** The checksums computed so far, by algorithm. */
  get checksums(): Readonly<Checksums> {
    return { ...this.#checksums };
  }

  /**
   * Which source of the fallback chain (exe, root, path, memory) gave the checksums computed
   * last; algorithms computed by an earlier call came from the source it found then.
   */
  get checksumSource(): ChecksumSource | undefined {
    return this.#checksumSource;
  }

  get checksumsCount(): number {
    return Object.keys(this.#checksums).length;
  }

  resetChecksums(): void {
    for (const algorithm of Object.keys(this.#checksums)) delete this.#checksums[algorithm];
    this.#checksumSource = undefined;
  }

  /**
   * Computes the checksums of the binary this process runs, for each algorithm not computed yet
   * (through @procmon/hash's fallback chain: exe, root, path, memory). Returns them all. The
   * stat is read first: checksums computed before the process replaced its program (execve) are
   * dropped and computed anew. Throws PidReusedError if the pid is not this process's any more,
   * HashError when nothing could be hashed, ProgramChangedError when the program was replaced
   * during each of three hashes.
   */
  computeChecksums(algorithms: readonly string[]): Checksums {
    for (let attempt = 0; ; attempt++) {
      this.noteExec(() => this.verify());
      const missing = algorithms.filter((algorithm) => !(algorithm in this.#checksums));
      if (missing.length === 0) return this.checksums;
      const image = this.#image;
      let result: ProcessChecksum;
      try {
        result = processChecksum(this.pid, missing, this.hashOptions());
      } catch (error) {
        this.verify(); // a pid that changed hands says so, rather than the hash's own error
        throw error;
      }
      // Kept only once the pid is known to be still this process. One check after is enough:
      // processChecksum compares the start time before and after its own reads.
      this.verify();
      if (this.#image === image) {
        this.keep(result);
        return this.checksums;
      }
      // Replaced during the hash: which binary was hashed is unknown.
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  async computeChecksumsAsync(algorithms: readonly string[]): Promise<Checksums> {
    for (let attempt = 0; ; attempt++) {
      await this.noteExecAsync(() => this.verifyAsync());
      const missing = algorithms.filter((algorithm) => !(algorithm in this.#checksums));
      if (missing.length === 0) return this.checksums;
      const image = this.#image;
      let result: ProcessChecksum;
      try {
        result = await processChecksumAsync(this.pid, missing, this.hashOptions());
      } catch (error) {
        await this.verifyAsync();
        throw error;
      }
      await this.verifyAsync();
      if (this.#image === image) {
        this.keep(result);
        return this.checksums;
      }
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  /**
   * The binary's readable regions in memory (the reference's DumpImage). Dumped again if the
   * process replaced its program meanwhile; ProgramChangedError after three such dumps.
   */
  dumpImage(options: { maxBytes?: number } = {}): MemoryImage {
    for (let attempt = 0; ; attempt++) {
      const image = this.#image;
      const { path, deleted } = this.exePath(this.path());
      const dump = dumpImage(this.pid, path, { ...options, procfs: this.procfs, deleted });
      this.verify();
      if (this.#image === image) return dump;
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  async dumpImageAsync(options: { maxBytes?: number } = {}): Promise<MemoryImage> {
    for (let attempt = 0; ; attempt++) {
      const image = this.#image;
      const { path, deleted } = this.exePath(await this.pathAsync());
      const dump = await dumpImageAsync(this.pid, path, {
        ...options,
        procfs: this.procfs,
        deleted,
      });
      await this.verifyAsync();
      if (this.#image === image) return dump;
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  toString(): string {
    return `process ${this.pid} (${this.comm}, started at tick ${this.startTime})`;
  }

  // ---- flows: each collector written once, run by the sync or the async runner ----

  /**
   * The stat now, checked to be this process's. A program replaced since the last check (execve)
   * is noted, and the checksums of the one before are dropped: they describe another binary.
   */
  private *currentStat(): Flow<Stat> {
    const stat = parseStat(yield* readFile(this.pid, 'stat'));
    if (stat.starttime !== this.startTime) {
      throw new PidReusedError(
        this.pid,
        `${this.procfs.root}/${this.pid}/stat`,
        this.startTime,
        stat.starttime,
      );
    }
    if (!sameImage(stat, this.#image)) {
      this.#image = imageOf(stat);
      this.resetChecksums();
    } else if (isLoading(stat)) {
      // Mid-exec: what was read may be half of the new program. A new object: no reading that
      // ends here counts as stable.
      this.#image = imageOf(stat);
    }
    return stat;
  }

  /**
   * Runs `make()`'s flow, then checks the pid still is this process: a reused pid's data is never
   * returned. A program replaced meanwhile (execve keeps pid and start time) may have given some
   * fields of each program (or of one being loaded): the flow runs again, and after MAX_READINGS
   * readings that each saw a change, ProgramChangedError.
   */
  private *checked<T>(make: () => Flow<T>): Flow<T> {
    for (let attempt = 0; ; attempt++) {
      const image = this.#image;
      const result = yield* make();
      yield* this.currentStat();
      if (this.#image === image) return result;
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  /**
   * Runs a collector, then checks the pid: a reused pid throws PidReusedError (nothing of two
   * processes is mixed), a program replaced meanwhile runs it again as in `checked`. A process
   * that exited during the reads keeps what was read before, the rest marked `gone`; one that
   * was gone before anything was read throws ProcessGoneError.
   */
  private *collected<T extends { failures: FieldFailure[] }>(
    make: () => Flow<T>,
    readNothing: (result: T) => boolean,
    finish?: (result: T, stat: Stat | undefined, error?: unknown) => void,
  ): Flow<T> {
    for (let attempt = 0; ; attempt++) {
      const image = this.#image;
      const result = yield* make();
      let stat: Stat;
      try {
        stat = yield* this.currentStat();
      } catch (error) {
        if (error instanceof PidReusedError || !(error instanceof ProcessGoneError)) throw error;
        if (readNothing(result)) throw error;
        finish?.(result, undefined, error);
        return result;
      }
      if (this.#image === image) {
        finish?.(result, stat);
        return result;
      }
      if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(this.pid, MAX_READINGS);
    }
  }

  // comm as the identity check's stat read it; if the process exited before that read, as the
  // stat that opened it said (the same process: the name it had then).
  private readonly addComm = (details: ProcessDetails, stat: Stat | undefined): void => {
    details.comm = stat?.comm ?? this.comm;
  };

  private detailsFlow(): Flow<ProcessDetails> {
    return detailsFlow(this.pid, this.startTime, this.procfs.root, this.comm, this.kernelThread);
  }

  /** The path, with the identity check after it. */
  private *checkedPath(): Flow<ResolvedPath> {
    return yield* this.checked(() => this.pathFlow());
  }

  private pathFlow(): Flow<ResolvedPath> {
    return resolvePath(this.pid, this.procfs.root, this.comm, undefined, true, this.kernelThread);
  }

  /** The extra-info collector, and how its identity check's stat completes it. */
  private extraInfoParts(
    options: ExtraInfoOptions,
  ): [
    () => Flow<ExtraInfo>,
    (info: ExtraInfo) => boolean,
    (info: ExtraInfo, stat: Stat | undefined, error?: unknown) => void,
  ] {
    const fields = options.fields ?? EXTRA_INFO_FIELDS;
    // Checked now, so a bad name throws before any read rather than at the first step.
    const wanted = checkExtraInfoFields(fields);
    // Read only when statm is: a root without auxv fails statm alone, not the whole collector.
    const pageSize = () => this.procfs.machineFacts().pageSize;
    const flow = () => extraInfoFlow(this.pid, this.procfs.root, pageSize, fields);
    // stat is the identity check's own read; gone before it, stat is a `gone` failure.
    const addStat = (info: ExtraInfo, stat: Stat | undefined, error?: unknown) => {
      if (!wanted.has('stat')) return;
      if (stat) info.stat = stat;
      else info.failures.push(fieldFailure('stat', error));
    };
    return [flow, extraInfoReadNothing, addStat];
  }

  private *parentFlow(): Flow<Process | undefined> {
    const { ppid } = yield* this.currentStat();
    if (ppid === 0) return undefined;
    const cached = this.options.cache?.peek(ppid);
    let stat: Stat;
    try {
      stat = parseStat(yield* readFile(ppid, 'stat'));
    } catch (error) {
      if (error instanceof ProcessGoneError) return undefined;
      throw error;
    }
    // Started after its child: the parent exited and its pid went to someone else.
    if (stat.starttime > this.startTime) return undefined;
    if (cached && cached.startTime === stat.starttime) return cached;
    const parent = new Process(stat, this.options);
    this.options.cache?.add(parent);
    return parent;
  }

  private *treeFlow(): Flow<TreeEntry[]> {
    const entries: TreeEntry[] = [treeEntry(this.pid, yield* this.checkedPath())];
    const seen = new Set([this.pid]);
    let current: Process = this;
    while (current.pid !== 1 && entries.length < MAX_TREE_DEPTH) {
      let parent: Process | undefined;
      let path: ResolvedPath;
      try {
        parent = yield* current.parentFlow();
        if (parent === undefined || seen.has(parent.pid)) break;
        // Checked after the read: a parent whose pid changed hands meanwhile is not listed with
        // the new holder's binary.
        path = yield* parent.checkedPath();
      } catch (error) {
        // An ancestor that exited (or whose pid was reused) while the chain was read ends the
        // chain; this process's own exit (the first step) is an error.
        if ((current !== this || parent !== undefined) && error instanceof ProcessGoneError) break;
        throw error;
      }
      seen.add(parent.pid);
      entries.push(treeEntry(parent.pid, path));
      current = parent;
    }
    return entries;
  }

  private *isChildFlow(): Flow<boolean> {
    const { ppid } = yield* this.currentStat();
    if (ppid === 0) return false;
    if (yield* exists(`${this.procfs.root}/${ppid}/task/${this.pid}`)) return true;
    const parent = yield* this.parentFlow();
    if (parent === undefined) return false;
    let theirs: ResolvedPath;
    let alive: boolean;
    try {
      theirs = yield* parent.pathFlow();
      // The parent's identity checked after its path was read; a zombie parent is not alive.
      alive = (yield* parent.currentStat()).state !== 'Z';
    } catch (error) {
      if (error instanceof ProcessGoneError) return false;
      throw error;
    }
    const own = yield* this.checkedPath();
    return alive && own.source === 'exe' && theirs.source === 'exe' && theirs.path === own.path;
  }

  private isSelf(): boolean {
    // The procfs root may be another machine's /proc (a fixture, /host/proc): only /proc is ours.
    return this.pid === process.pid && this.procfs.root === '/proc';
  }

  /**
   * Runs an identity check only to notice an exec (which drops stale checksums): a process that
   * exited, or whose pid was reused, keeps the checksums computed for it.
   */
  private noteExec(check: () => unknown): void {
    try {
      check();
    } catch (error) {
      if (!(error instanceof ProcessGoneError)) throw error;
    }
  }

  private async noteExecAsync(check: () => Promise<unknown>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!(error instanceof ProcessGoneError)) throw error;
    }
  }

  private hashOptions() {
    const options: { procfs: ProcFS; cache?: ChecksumCache } = { procfs: this.procfs };
    if (this.options.checksumCache) options.cache = this.options.checksumCache;
    return options;
  }

  private keep(result: { checksums: Checksums; source: ChecksumSource }): void {
    Object.assign(this.#checksums, result.checksums);
    this.#checksumSource = result.source;
  }

  private exePath(resolved: ResolvedPath): { path: string; deleted: boolean } {
    if (resolved.source !== 'exe') {
      throw resolved.failure?.error ?? new Error(`process ${this.pid} has no binary path to dump`);
    }
    return resolved;
  }

  private context(): FlowContext {
    const { sockets } = this.options;
    return {
      procfs: this.procfs,
      sockets: () =>
        sockets === false ? undefined : (sockets ?? defaultSocketLookup(this.procfs)),
    };
  }

  private run<T>(flow: Flow<T>): T {
    return runSync(flow, this.context());
  }

  private runAsync<T>(flow: Flow<T>): Promise<T> {
    return runAsync(flow, this.context());
  }
}

function detailsReadNothing(details: ProcessDetails): boolean {
  return details.args === undefined && details.cwd === undefined && details.environ === undefined;
}

function extraInfoReadNothing(info: ExtraInfo): boolean {
  return Object.keys(info).every((key) => key === 'failures');
}

function readStatOf(procfs: ProcFS, pid: number): Stat {
  return parseStat(procfs.readFile(pid, 'stat'));
}

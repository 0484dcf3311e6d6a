// The process model: one process, known by (pid, start time), with its collectors (details,
// parent chain and tree, children, CPU, resources, extra info, checksums). Each collector is one
// flow in its own file (details.ts, tree.ts, children.ts, cpu.ts, resources.ts, extra-info.ts,
// checksums.ts), run by the sync or the async runner of its ProcFS. This file is only the class
// that binds them: a documented sync/async pair of one-line methods per collector, so it is
// about 400 lines and grows by one pair with each new collector.

import type { ChecksumCache, ChecksumSource, Checksums, MemoryImage } from '@procmon/hash';
import { parseStat, type Stat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { type ChecksumState, computeChecksumsFlow, dumpImageFlow } from './checksums.js';
import { allStatsFlow, childrenAmong, type StatNode, subtreeAmong } from './children.js';
import { type CpuSample, type CpuTimes, cpuSampleOf, cpuTimesOf, sampleSecondsOf } from './cpu.js';
import { procfsOf } from './default-procfs.js';
import { detailsFlow, detailsReadNothing, type ProcessDetails } from './details.js';
import { fieldFailure } from './errors.js';
import {
  checkExtraInfoFields,
  EXTRA_INFO_FIELDS,
  type ExtraInfo,
  type ExtraInfoOptions,
  extraInfoFlow,
  extraInfoReadNothing,
} from './extra-info.js';
import { checked, collected, Identity } from './identity.js';
import { isKernelThread, type ResolvedPath, resolvePath } from './path.js';
import { type Resources, resourcesFlow } from './resources.js';
import { defaultSocketLookup, type SocketLookup } from './sockets.js';
import {
  isChildFlow,
  type ParentCache,
  parentFlow,
  type TreeContext,
  type TreeEntry,
  treeFlow,
} from './tree.js';

export interface ProcessOptions {
  /** Where to read; a shared ProcFS on /proc unless given. */
  procfs?: ProcFS | undefined;
  /** Parents are looked up here first, and parents read from /proc are added to it. */
  cache?: ParentCache<Process> | undefined;
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
   * Return undefined for the calling process itself (a firewall does not ask about its own
   * connections). False unless set.
   */
  skipSelf?: boolean | undefined;
}

/** A process of a subtree (Process.descendants), with its children in pid order. */
export interface ProcessNode {
  process: Process;
  children: ProcessNode[];
}

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
  // The identity the collectors check after their reads.
  readonly #identity: Identity;
  readonly #checksums: ChecksumState = { checksums: {}, source: undefined };

  /**
   * Opens a process: reads its stat for the start time. Throws TypeError for a pid that is not
   * a positive integer, ProcessGoneError when it does not exist.
   */
  static open(pid: number, options: ProcessOptions = {}): Process {
    return new Process(parseStat(procfsOf(options).readFile(pid, 'stat')), options);
  }

  static async openAsync(pid: number, options: ProcessOptions = {}): Promise<Process> {
    return new Process(parseStat(await procfsOf(options).promises.readFile(pid, 'stat')), options);
  }

  /** A process from a stat the caller already read (a scan, a cache). */
  constructor(stat: Stat, options: ProcessOptions = {}) {
    this.pid = stat.pid;
    this.startTime = stat.startTime;
    this.ppid = stat.ppid;
    this.comm = stat.comm;
    this.kernelThread = isKernelThread(stat);
    this.options = options;
    // A program replaced since the last check: checksums of the old one describe another binary.
    this.#identity = new Identity(stat, () => this.resetChecksums());
  }

  get procfs(): ProcFS {
    return procfsOf(this.options);
  }

  /** Throws PidReusedError if the pid now belongs to another process, ProcessGoneError if it exited. */
  verify(): Stat {
    return this.procfs.run(this.#identity.current(this.procfs));
  }

  async verifyAsync(): Promise<Stat> {
    return this.procfs.runAsync(this.#identity.current(this.procfs));
  }

  /** Running, and still this process: a zombie, an exited process or a reused pid is not alive. */
  isAlive(): boolean {
    return this.procfs.run(this.isAliveFlow());
  }

  async isAliveAsync(): Promise<boolean> {
    return this.procfs.runAsync(this.isAliveFlow());
  }

  /**
   * Path, comm, arguments, cwd and environment. A field that could not be read is missing and
   * listed in `failures`. Throws PidReusedError when the pid changed hands during the reads
   * (nothing of two processes is mixed), ProcessGoneError when the process exited before
   * anything was read.
   */
  details(options: DetailsOptions & { skipSelf: true }): ProcessDetails | undefined;
  details(options?: DetailsOptions & { skipSelf?: false | undefined }): ProcessDetails;
  details(options?: DetailsOptions): ProcessDetails | undefined;
  details(options: DetailsOptions = {}): ProcessDetails | undefined {
    if (options.skipSelf && this.isSelf()) return undefined;
    return this.procfs.run(this.detailsChecked());
  }

  detailsAsync(options: DetailsOptions & { skipSelf: true }): Promise<ProcessDetails | undefined>;
  detailsAsync(
    options?: DetailsOptions & { skipSelf?: false | undefined },
  ): Promise<ProcessDetails>;
  detailsAsync(options?: DetailsOptions): Promise<ProcessDetails | undefined>;
  async detailsAsync(options: DetailsOptions = {}): Promise<ProcessDetails | undefined> {
    if (options.skipSelf && this.isSelf()) return undefined;
    return this.procfs.runAsync(this.detailsChecked());
  }

  /** The binary's path alone, resolved as in `details()` (no arguments: no args[0] fallback). */
  path(): ResolvedPath {
    return this.procfs.run(checked(this.procfs, this.#identity, () => this.#pathFlow()));
  }

  async pathAsync(): Promise<ResolvedPath> {
    return this.procfs.runAsync(checked(this.procfs, this.#identity, () => this.#pathFlow()));
  }

  /**
   * The parent, read from stat now (a parent's exit reparents a process). Undefined for pid 1
   * and kernel threads' root (ppid 0), and when the parent exited: a parent that started after
   * this process is a reused pid, not the parent.
   */
  parent(): Process | undefined {
    return this.procfs.run(parentFlow(this.treeContext(), this));
  }

  async parentAsync(): Promise<Process | undefined> {
    return this.procfs.runAsync(parentFlow(this.treeContext(), this));
  }

  /**
   * This process, then each ancestor up to pid 1, nearest first, each with its path. A parent
   * that exited ends the chain; a loop cannot happen.
   */
  tree(): TreeEntry[] {
    return this.procfs.run(treeFlow(this.treeContext(), this));
  }

  async treeAsync(): Promise<TreeEntry[]> {
    return this.procfs.runAsync(treeFlow(this.treeContext(), this));
  }

  /**
   * The processes whose parent this is, in pid order, found by the parent pid in every
   * process's stat (as `ps` finds them). Throws PidReusedError or ProcessGoneError when this
   * process is not itself after the walk; a child that exits meanwhile is left out.
   */
  children(): Process[] {
    return this.procfs.run(this.childrenFlow());
  }

  async childrenAsync(): Promise<Process[]> {
    return this.procfs.runAsync(this.childrenFlow());
  }

  /** CPU time used so far, in seconds (this process, and its children it waited for). */
  cpuTimes(): CpuTimes {
    return this.procfs.run(this.cpuFlow((stat, ticks) => cpuTimesOf(stat, ticks)));
  }

  async cpuTimesAsync(): Promise<CpuTimes> {
    return this.procfs.runAsync(this.cpuFlow((stat, ticks) => cpuTimesOf(stat, ticks)));
  }

  /**
   * Its CPU time now, for cpuPercent: `cpuPercent(before, p.cpuSample())` after some time, as
   * psutil's `cpu_percent(interval)` and top compute it.
   */
  cpuSample(): CpuSample {
    return this.procfs.run(this.cpuFlow(cpuSampleOf));
  }

  async cpuSampleAsync(): Promise<CpuSample> {
    return this.procfs.runAsync(this.cpuFlow(cpuSampleOf));
  }

  /** The whole subtree under this process: its children, each with its own, in pid order. */
  descendants(): ProcessNode[] {
    return this.procfs.run(this.descendantsFlow());
  }

  async descendantsAsync(): Promise<ProcessNode[]> {
    return this.procfs.runAsync(this.descendantsFlow());
  }

  /**
   * Environment, descriptors (with sockets when a lookup is set), io, status, stat, kernel
   * stack, maps and statm. Failures per field, as in `details()`.
   */
  extraInfo(options: ExtraInfoOptions = {}): ExtraInfo {
    return this.procfs.run(this.extraInfoChecked(options));
  }

  async extraInfoAsync(options: ExtraInfoOptions = {}): Promise<ExtraInfo> {
    return this.procfs.runAsync(this.extraInfoChecked(options));
  }

  /**
   * Memory only it uses (USS, PSS, swap), its cgroups and the container they name, its
   * namespaces and its limits, each part read on its own (`failures` lists those that could not
   * be), then the identity checked: PidReusedError rather than another process's figures.
   */
  resources(): Resources {
    return this.procfs.run(this.resourcesChecked());
  }

  async resourcesAsync(): Promise<Resources> {
    return this.procfs.runAsync(this.resourcesChecked());
  }

  /**
   * Whether the parent runs the same binary and is alive, or this pid is one of the parent's
   * tasks (`<root>/<ppid>/task/<pid>` exists).
   */
  isChild(): boolean {
    return this.procfs.run(isChildFlow(this.treeContext(), this));
  }

  async isChildAsync(): Promise<boolean> {
    return this.procfs.runAsync(isChildFlow(this.treeContext(), this));
  }

  /** The checksums computed so far, by algorithm. */
  get checksums(): Readonly<Checksums> {
    return { ...this.#checksums.checksums };
  }

  /**
   * Which source of the fallback chain (exe, root, path, memory) gave the checksums computed
   * last; algorithms computed by an earlier call came from the source it found then.
   */
  get checksumSource(): ChecksumSource | undefined {
    return this.#checksums.source;
  }

  get checksumsCount(): number {
    return Object.keys(this.#checksums.checksums).length;
  }

  resetChecksums(): void {
    this.#checksums.checksums = {};
    this.#checksums.source = undefined;
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
    return this.procfs.run(this.checksumsFlow(algorithms));
  }

  async computeChecksumsAsync(algorithms: readonly string[]): Promise<Checksums> {
    return this.procfs.runAsync(this.checksumsFlow(algorithms));
  }

  /**
   * The binary's readable regions in memory. Dumped again if the process replaced its program
   * meanwhile; ProgramChangedError after three such dumps.
   */
  dumpImage(options: { maxBytes?: number } = {}): MemoryImage {
    return this.procfs.run(this.dumpFlow(options));
  }

  async dumpImageAsync(options: { maxBytes?: number } = {}): Promise<MemoryImage> {
    return this.procfs.runAsync(this.dumpFlow(options));
  }

  toString(): string {
    return `process ${this.pid} (${this.comm}, started at tick ${this.startTime})`;
  }

  /** The path, without the identity check. */
  #pathFlow(): Flow<ResolvedPath> {
    return resolvePath(this.procfs, this.pid, {
      comm: this.comm,
      kernelThread: this.kernelThread,
      realPath: true,
    });
  }

  private detailsChecked(): Flow<ProcessDetails> {
    return collected(this.procfs, this.#identity, () => detailsFlow(this.procfs, this), {
      readNothing: detailsReadNothing,
      // comm as the identity check's stat read it; if the process exited before that read, as
      // the stat that opened it said (the same process: the name it had then).
      finish: (details, stat) => {
        details.comm = stat?.comm ?? this.comm;
      },
    });
  }

  private extraInfoChecked(options: ExtraInfoOptions): Flow<ExtraInfo> {
    // Checked now, so a bad name throws before any read rather than at the first step.
    const wanted = checkExtraInfoFields(options.fields ?? EXTRA_INFO_FIELDS);
    const sockets = () => this.socketLookup();
    return collected(
      this.procfs,
      this.#identity,
      () => extraInfoFlow(this.procfs, this.pid, wanted, sockets),
      {
        readNothing: extraInfoReadNothing,
        // stat is the identity check's own read; gone before it, stat is a `gone` failure.
        finish: (info, stat, error) => {
          if (!wanted.has('stat')) return;
          if (stat) info.stat = stat;
          else info.failures.push(fieldFailure('stat', error));
        },
      },
    );
  }

  private resourcesChecked(): Flow<Resources> {
    return checked(this.procfs, this.#identity, () =>
      resourcesFlow(this.procfs, this.pid, this.kernelThread),
    );
  }

  private *cpuFlow<T>(make: (stat: Stat, clockTicks: number, takenAt: number) => T): Flow<T> {
    const { clockTicks } = yield* this.procfs.flows.machineFacts();
    const stat = yield* this.#identity.current(this.procfs);
    return make(stat, clockTicks, sampleSecondsOf(this.procfs));
  }

  private *childrenFlow(): Flow<Process[]> {
    const stats = yield* allStatsFlow(this.procfs);
    const self = yield* this.#identity.current(this.procfs);
    return childrenAmong(self, stats).map((stat) => new Process(stat, this.options));
  }

  private *descendantsFlow(): Flow<ProcessNode[]> {
    const stats = yield* allStatsFlow(this.procfs);
    const self = yield* this.#identity.current(this.procfs);
    // Without recursion, as subtreeAmong: the tree may be thousands deep.
    const top: ProcessNode[] = [];
    const pending: Array<[StatNode[], ProcessNode[]]> = [[subtreeAmong(self, stats), top]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [list, into] = next;
      for (const { stat, children } of list) {
        const node: ProcessNode = { process: new Process(stat, this.options), children: [] };
        into.push(node);
        pending.push([children, node.children]);
      }
    }
    return top;
  }

  private *isAliveFlow(): Flow<boolean> {
    try {
      return (yield* this.#identity.current(this.procfs)).state !== 'Z';
    } catch (error) {
      if (error instanceof ProcessGoneError) return false;
      throw error;
    }
  }

  private checksumsFlow(algorithms: readonly string[]): Flow<Checksums> {
    return computeChecksumsFlow(this.procfs, this.#identity, this.#checksums, algorithms, {
      cache: this.options.checksumCache,
    });
  }

  private dumpFlow(options: { maxBytes?: number }): Flow<MemoryImage> {
    return dumpImageFlow(this.procfs, this.#identity, () => this.#pathFlow(), options);
  }

  private treeContext(): TreeContext<Process> {
    return {
      procfs: this.procfs,
      cache: this.options.cache,
      open: (stat) => new Process(stat, this.options),
      node: (process) => ({
        pid: process.pid,
        startTime: process.startTime,
        identity: process.#identity,
        pathFlow: () => process.#pathFlow(),
      }),
    };
  }

  private socketLookup(): SocketLookup | undefined {
    const { sockets } = this.options;
    if (sockets === false) return undefined;
    return sockets ?? defaultSocketLookup(this.procfs);
  }

  private isSelf(): boolean {
    // The procfs root may be another machine's /proc (a fixture, /host/proc): only /proc is ours.
    return this.pid === process.pid && this.procfs.root === '/proc';
  }
}

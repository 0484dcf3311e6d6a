// `procmon ps`: every process with the columns of `ps aux` (USER, PID, %CPU, %MEM, VSZ, RSS,
// STAT, START, TIME, COMMAND) plus PPID and CONTAINER. Collected here; chosen and ordered in
// ps-select.ts, drawn in ps-format.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { type CgroupContainer, containerOf, parseCgroup, parseMeminfo } from '@procmon/parse';
import {
  cpuPercents,
  cpuSampleOf,
  type PathSource,
  ProcFS,
  type ScannedProcess,
  scanProcesses,
} from '@procmon/process';
import type { PsSort } from './arguments.js';
import { lifetimeCpuPercent, statText } from './ps-fields.js';
import { selectLines } from './ps-select.js';
import { type DataSource, liveSource, notFromSnapshot } from './source-option.js';
import { GETENT, type UserLookupCommand } from './users.js';

export interface PsLine {
  pid: number;
  ppid: number;
  uid?: number;
  user?: string;
  comm: string;
  path?: string;
  /** Where `path` came from: `exe` (the binary), `args` or `comm` (its own name for itself), `kernel`. */
  pathSource?: PathSource;
  args?: string[];
  command?: string;
  /** The state letter. */
  state: string;
  /** STAT as ps shows it: the letter and its flags (`Ss+`, `Rl`, `SN`). */
  stat: string;
  kernelThread: boolean;
  zombie: boolean;
  /** CPU percent: over the process's life, or over `--interval` (see `cpuPercentOver`). */
  cpuPercent: number;
  cpuPercentOver: 'lifetime' | 'interval';
  /** Resident memory over MemTotal, in percent; absent when meminfo could not be read. */
  memPercent?: number;
  virtualBytes: number;
  residentBytes: number;
  /** User + system CPU time so far, in seconds. */
  cpuSeconds: number;
  /** Clock ticks after boot (stat field 22). */
  startTime: number;
  /** When it started, in milliseconds since the epoch. */
  startedAt: number;
  threads: number;
  nice: number;
  priority: number;
  pgrp: number;
  session: number;
  tpgid: number;
  /** The container or unit its cgroup path names (containerOf of @procmon/parse). */
  container?: CgroupContainer;
}

export interface PsOptions {
  /** Seconds between two scans for CPU percent as top computes it; lifetime percent without. */
  interval?: number | undefined;
  users?: readonly string[] | undefined;
  pids?: readonly number[] | undefined;
  name?: string | undefined;
  sort?: readonly PsSort[] | undefined;
  forest?: boolean | undefined;
  /** The user database lookup (getent unless given). */
  lookup?: UserLookupCommand | undefined;
  /** Where the data comes from: a snapshot (`--from`), else this machine (with `lookup`). */
  source?: DataSource | undefined;
}

export interface PsReport {
  lines: PsLine[];
  /**
   * When the list was read, in milliseconds since the epoch (START is relative to it): for a
   * snapshot, when it was taken.
   */
  readAt: number;
  /** With --forest: how deep each line is in its tree (0 for a root), in line order. */
  depths?: number[];
}

const FIELDS = ['path', 'args', 'status'] as const;

export async function listProcesses(options: PsOptions = {}): Promise<PsReport> {
  const source = options.source ?? liveSource(options.lookup ?? GETENT);
  if (source.snapshot && options.interval !== undefined)
    throw notFromSnapshot('--interval', 'it is one moment; %CPU is over each lifetime up to it');
  const procfs = source.procfs ?? new ProcFS();
  const facts = procfs.machineFacts();
  let scanned = scanProcesses({ procfs, fields: FIELDS });
  let percents: Map<number, number> | undefined;
  if (options.interval !== undefined) {
    const earlier = scanned.map((entry) => cpuSampleOf(entry.stat, facts.clockTicks, entry.readAt));
    await sleep(options.interval * 1000);
    scanned = scanProcesses({ procfs, fields: FIELDS });
    const later = scanned.map((entry) => cpuSampleOf(entry.stat, facts.clockTicks, entry.readAt));
    percents = cpuPercents(earlier, later);
  }
  // "Now": this machine's clock and uptime, or the moment a snapshot was taken.
  const moment = procfs.machineMoment();
  const memTotal = memTotalBytes(procfs);
  const names = source.names.users(
    scanned.flatMap((entry) => (entry.status ? [entry.status.uid.effective] : [])),
  );
  const lines = scanned.map((entry) => {
    const line = toLine(entry, facts, moment.uptimeSeconds, percents);
    if (line.uid !== undefined) {
      const name = names.get(line.uid);
      if (name !== undefined) line.user = name;
    }
    if (memTotal !== undefined && memTotal > 0)
      line.memPercent = (line.residentBytes / memTotal) * 100;
    const container = containerOfProcess(procfs, entry.pid);
    if (container) line.container = container;
    return line;
  });
  return { ...selectLines(lines, { ...options, source }), readAt: moment.wallMs };
}

function toLine(
  scanned: ScannedProcess,
  facts: { pageSize: number; clockTicks: number; bootTimeSeconds: number },
  uptime: number,
  percents: Map<number, number> | undefined,
): PsLine {
  const { stat } = scanned;
  const line: PsLine = {
    pid: scanned.pid,
    ppid: scanned.ppid,
    comm: scanned.comm,
    state: scanned.state,
    stat: statText(stat, lockedBytes(scanned) > 0),
    kernelThread: scanned.kernelThread === true,
    zombie: stat.state === 'Z',
    cpuPercent:
      percents === undefined
        ? lifetimeCpuPercent(stat, facts.clockTicks, uptime)
        : (percents.get(scanned.pid) ?? 0),
    cpuPercentOver: percents === undefined ? 'lifetime' : 'interval',
    virtualBytes: Number(stat.vsize),
    // status's VmRSS: the kernel sums its per-CPU counters there (as in statm), while stat's rss
    // field is an estimate that can be off by dozens of pages. A kernel thread and a zombie have
    // no VmRSS, and stat's 0 stands.
    residentBytes: scanned.status?.sizesBytes.get('VmRSS') ?? stat.rss * facts.pageSize,
    cpuSeconds: (stat.utime + stat.stime) / facts.clockTicks,
    startTime: stat.startTime,
    startedAt: facts.bootTimeSeconds * 1000 + (stat.startTime / facts.clockTicks) * 1000,
    threads: stat.numThreads,
    nice: stat.nice,
    priority: stat.priority,
    pgrp: stat.pgrp,
    session: stat.session,
    tpgid: stat.tpgid,
  };
  if (scanned.status) line.uid = scanned.status.uid.effective;
  if (scanned.path !== undefined) line.path = scanned.path;
  if (scanned.pathSource !== undefined) line.pathSource = scanned.pathSource;
  if (scanned.args !== undefined) line.args = scanned.args;
  if (scanned.command !== undefined) line.command = scanned.command;
  return line;
}

/** MemTotal in bytes; undefined when meminfo cannot be read (%MEM is then left out). */
function memTotalBytes(procfs: ProcFS): number | undefined {
  try {
    return parseMeminfo(procfs.readSystemFile('meminfo')).memTotal;
  } catch {
    return undefined;
  }
}

/** Memory locked in RAM (status's VmLck): ps's `L`. 0 when unknown. */
function lockedBytes(scanned: ScannedProcess): number {
  return scanned.status?.sizesBytes.get('VmLck') ?? 0;
}

/** The container its cgroup names; undefined when none, or the file cannot be read. */
function containerOfProcess(procfs: ProcFS, pid: number): CgroupContainer | undefined {
  try {
    return containerOf(parseCgroup(procfs.readFile(pid, 'cgroup')).map((entry) => entry.path));
  } catch {
    return undefined;
  }
}

// Collects what `procmon inspect` shows about one process, through the process model: each part
// is read on its own, and a part that fails is listed with the reason while the others are shown.

import type { ChecksumSource, Checksums } from '@procmon/hash';
import { type Environ, escapeText, statStartTime } from '@procmon/parse';
import {
  type FieldFailure,
  fieldFailure,
  type PathSource,
  type Process,
  type TreeEntry,
} from '@procmon/process';
import { pc } from './colors.js';
import { type DescriptorLine, describeDescriptor, descriptorLines } from './descriptors.js';
import { aligned, bytesText, failureLines, pathText, shellQuote } from './format.js';
import { type ResourcesReport, resourceRows, resourcesOf } from './inspect-resources.js';
import { liveSource, type NameSource } from './source-option.js';
import { treeLines } from './tree-command.js';

export interface Ids {
  real: number;
  effective: number;
  saved: number;
  filesystem: number;
}

export interface InspectReport extends ResourcesReport {
  pid: number;
  /** Clock ticks after boot (stat field 22): with pid, the process's identity. */
  startTime: number;
  startedAt: string;
  comm: string;
  state?: string;
  ppid?: number;
  path: string;
  realPath: string;
  deleted: boolean;
  kernelThread: boolean;
  /** `exe` when `path` is the binary; `args` or `comm` when it is the process's own name for itself. */
  pathSource: PathSource;
  args?: string[];
  command?: string;
  cwd?: string;
  uid?: Ids;
  user?: string;
  gid?: Ids;
  /** The effective group's name. */
  group?: string;
  threads?: number;
  /** This process, then each ancestor up to pid 1, nearest first. */
  tree?: TreeEntry[];
  env?: Environ;
  descriptors?: DescriptorLine[];
  memory?: { virtualBytes: number; residentBytes: number; sharedBytes: number };
  io?: { readBytes: bigint; writeBytes: bigint; rchar: bigint; wchar: bigint };
  /** Checksums of the binary it runs, and which source of the fallback chain gave them. */
  checksums?: Checksums;
  checksumSource?: ChecksumSource;
  failures: { field: string; reason: FieldFailure['reason']; message: string }[];
}

export interface InspectOptions {
  env: boolean;
  /** Algorithms for the binary's checksums; none skips hashing. */
  algorithms: readonly string[];
  /** User and group names: the system's unless given (a snapshot's). */
  names?: NameSource | undefined;
}

export function inspectProcess(process: Process, options: InspectOptions): InspectReport {
  const details = process.details();
  const facts = process.procfs.machineFacts();
  const failures: FieldFailure[] = [...details.failures];
  const extra = process.extraInfo({ fields: ['stat', 'status', 'descriptors', 'statm', 'io'] });
  failures.push(...extra.failures);
  const report: InspectReport = {
    pid: process.pid,
    startTime: process.startTime,
    startedAt: new Date(statStartTime({ startTime: process.startTime }, facts)).toISOString(),
    comm: details.comm ?? process.comm,
    path: details.path,
    realPath: details.realPath,
    deleted: details.deleted,
    kernelThread: details.kernelThread,
    pathSource: details.pathSource,
    failures: [],
  };
  if (extra.stat) {
    report.state = `${extra.stat.state} (${extra.stat.stateName})`;
    report.ppid = extra.stat.ppid;
    report.threads = extra.stat.numThreads;
  }
  // A kernel thread has no arguments: its empty cmdline is not to be filled with its name.
  if (details.args && !details.kernelThread) {
    report.args = details.args;
    report.command = details.command ?? details.args.join(' ');
  }
  if (details.cwd !== undefined) report.cwd = details.cwd;
  if (extra.status) {
    report.uid = extra.status.uid;
    report.gid = extra.status.gid;
    const names = options.names ?? liveSource().names;
    const name = names.users([extra.status.uid.effective]).get(extra.status.uid.effective);
    if (name !== undefined) report.user = name;
    const group = names.groups([extra.status.gid.effective]).get(extra.status.gid.effective);
    if (group !== undefined) report.group = group;
  }
  try {
    report.tree = process.tree();
  } catch (error) {
    failures.push(fieldFailure('tree', error));
  }
  if (options.env && details.environ) report.env = details.environ;
  if (extra.descriptors) report.descriptors = extra.descriptors.map(describeDescriptor);
  if (extra.statm) {
    report.memory = {
      virtualBytes: extra.statm.bytes.size,
      residentBytes: extra.statm.bytes.resident,
      sharedBytes: extra.statm.bytes.shared,
    };
  }
  if (extra.io) {
    const { readBytes, writeBytes, rchar, wchar } = extra.io;
    report.io = { readBytes, writeBytes, rchar, wchar };
  }
  Object.assign(report, resourcesOf(process, extra.stat, facts, failures));
  // statm's count is exact; stat's rss field is an estimate.
  if (report.memoryUsage && report.memory) {
    report.memoryUsage.residentBytes = report.memory.residentBytes;
  }
  if (options.algorithms.length > 0 && !details.kernelThread) {
    try {
      report.checksums = process.computeChecksums(options.algorithms);
      const source = process.checksumSource;
      if (source) report.checksumSource = source;
    } catch (error) {
      failures.push(fieldFailure('checksums', error));
    }
  }
  // The environment was read by details; without --env its failure is not news.
  report.failures = failures
    .filter((failure) => options.env || failure.field !== 'environ')
    .map(({ field, reason, message }) => ({ field, reason, message }));
  return report;
}

export function formatInspectReport(report: InspectReport): string {
  const lines: string[] = [];
  lines.push(
    `${pc.bold(`process ${report.pid}`)}  ${escapeText(report.comm)}  ${escapeText(report.state ?? '')}`,
  );
  const rows: [string, string][] = [];
  const row = (label: string, value: string | undefined) => {
    if (value !== undefined) rows.push([label, value]);
  };
  if (report.kernelThread) row('kind', 'kernel thread (no binary, no arguments, no user memory)');
  row(
    'path',
    pathText(report.path, report.pathSource, report.comm) +
      (report.deleted ? pc.red(' (deleted)') : ''),
  );
  if (report.realPath !== report.path) row('real path', escapeText(report.realPath));
  row('cwd', report.cwd && escapeText(report.cwd));
  row('args', report.args?.map(shellQuote).join(' '));
  row('ppid', report.ppid?.toString());
  row(
    'user',
    report.uid &&
      `${escapeText(report.user ?? String(report.uid.effective))} ${pc.dim(idsText(report.uid))}`,
  );
  row(
    'group',
    report.gid &&
      `${escapeText(report.group ?? String(report.gid.effective))} ${pc.dim(idsText(report.gid))}`,
  );
  row('threads', report.threads?.toString());
  row('started', `${report.startedAt} ${pc.dim(`(tick ${report.startTime})`)}`);
  if (report.checksums) {
    for (const [algorithm, digest] of Object.entries(report.checksums)) {
      row(algorithm, `${digest}  ${pc.dim(`(from ${escapeText(report.checksumSource ?? '')})`)}`);
    }
  }
  if (report.memory) {
    const { virtualBytes, residentBytes, sharedBytes } = report.memory;
    row(
      'memory',
      `virtual ${bytesText(virtualBytes)}, resident ${bytesText(residentBytes)}, shared ${bytesText(sharedBytes)}`,
    );
  }
  if (report.io) {
    const { readBytes, writeBytes, rchar, wchar } = report.io;
    row(
      'io',
      `read ${bytesText(Number(readBytes))} (${rchar} chars), written ${bytesText(Number(writeBytes))} (${wchar} chars)`,
    );
  }
  lines.push(...aligned(rows));
  // In a section of their own, aligned on their own labels.
  const resources = resourceRows(report);
  if (report.container) {
    const { runtime, id, unit } = report.container;
    resources.push([
      'container',
      `${escapeText(runtime)} ${escapeText(id)}${unit ? pc.dim(` (${escapeText(unit)})`) : ''}`,
    ]);
  }
  // v1 lists one path per hierarchy, most of them the same.
  if (report.cgroups) {
    resources.push(['cgroup', [...new Set(report.cgroups)].map(escapeText).join(', ')]);
  }
  if (resources.length > 0) {
    lines.push(pc.bold('resources'));
    lines.push(...aligned(resources));
  }
  if (report.namespaces) {
    lines.push(pc.bold('namespaces'));
    lines.push(
      ...aligned(
        Object.entries(report.namespaces).map(([type, inode]) => [type, String(inode)] as const),
      ),
    );
  }
  if (report.limits) {
    lines.push(pc.bold('limits (soft / hard)'));
    lines.push(
      ...aligned(
        report.limits.map(
          (limit) =>
            [
              limit.key,
              `${limitText(limit.soft)} / ${limitText(limit.hard)}${limit.unit ? ` ${limit.unit}` : ''}`,
            ] as const,
        ),
      ),
    );
  }
  if (report.tree) {
    lines.push(pc.bold('tree'));
    lines.push(...treeLines(report.tree));
  }
  if (report.descriptors) {
    lines.push(pc.bold(`descriptors (${report.descriptors.length})`));
    lines.push(...descriptorLines(report.descriptors));
  }
  if (report.env) {
    lines.push(pc.bold(`environment (${report.env.size})`));
    for (const [key, value] of report.env) lines.push(`  ${escapeText(key)}=${escapeText(value)}`);
  }
  lines.push(...failureLines(report.failures));
  return lines.join('\n');
}

function limitText(value: number | null): string {
  return value === null ? 'unlimited' : String(value);
}

function idsText(ids: Ids): string {
  return `(real ${ids.real}, effective ${ids.effective}, saved ${ids.saved}, fs ${ids.filesystem})`;
}

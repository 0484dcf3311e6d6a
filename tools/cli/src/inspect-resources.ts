// What `procmon inspect` shows about a process's use of the machine: CPU (times and lifetime
// percent), memory (RSS and VSZ from stat; USS, PSS and swap from smaps_rollup when readable),
// scheduling (threads, nice, priority, state), cgroups and the container they name, namespaces
// and resource limits. Each part is read on its own; one that fails is listed with the reason.
import {
  type CgroupContainer,
  containerOf,
  type LimitKey,
  NAMESPACE_TYPES,
  parseCgroup,
  parseLimits,
  parseNamespaceLink,
  parseSmapsRollup,
  type Stat,
} from '@procmon/parse';
import { type FieldFailure, fieldFailure, type Process } from '@procmon/process';
import type { MachineFacts } from '@procmon/procfs';
import { bytesText } from './format.js';
import { lifetimeCpuPercent, percentText } from './ps-fields.js';

export interface CpuReport {
  userSeconds: number;
  systemSeconds: number;
  /** Of its children that exited and were waited for. */
  childrenUserSeconds: number;
  childrenSystemSeconds: number;
  /** User + system time over its lifetime, in percent (ps's %CPU). */
  lifetimePercent: number;
}

export interface MemoryUsage {
  residentBytes: number;
  virtualBytes: number;
  /** From smaps_rollup (needs the right to ptrace the process): memory only it uses. */
  ussBytes?: number;
  /** Proportional: each shared page divided among the processes that map it. */
  pssBytes?: number;
  swapBytes?: number;
}

export interface SchedulingReport {
  threads: number;
  nice: number;
  priority: number;
  state: string;
  stateName: string;
}

export interface LimitReport {
  key: LimitKey | string;
  /** `null` for unlimited. */
  soft: number | null;
  hard: number | null;
  unit: string | null;
}

export interface ResourcesReport {
  cpu?: CpuReport;
  memoryUsage?: MemoryUsage;
  scheduling?: SchedulingReport;
  /** Its cgroup paths, one per hierarchy (one on cgroup v2). */
  cgroups?: string[];
  container?: CgroupContainer;
  /** Namespace type → inode (`net` → 4026531840); two processes share one when these match. */
  namespaces?: Record<string, number>;
  limits?: LimitReport[];
}

export function resourcesOf(
  process: Process,
  stat: Stat | undefined,
  facts: MachineFacts,
  failures: FieldFailure[],
): ResourcesReport {
  const report: ResourcesReport = {};
  const { procfs, pid } = process;
  if (stat) {
    const ticks = facts.clockTicks;
    report.cpu = {
      userSeconds: stat.utime / ticks,
      systemSeconds: stat.stime / ticks,
      childrenUserSeconds: stat.cutime / ticks,
      childrenSystemSeconds: stat.cstime / ticks,
      lifetimePercent: lifetimeCpuPercent(stat, ticks, uptimeSeconds(process)),
    };
    report.memoryUsage = {
      residentBytes: stat.rss * facts.pageSize,
      virtualBytes: Number(stat.vsize),
    };
    report.scheduling = {
      threads: stat.numThreads,
      nice: stat.nice,
      priority: stat.priority,
      state: stat.state,
      stateName: stat.stateName,
    };
  }
  const part = (field: string, read: () => void) => {
    try {
      read();
    } catch (error) {
      failures.push(fieldFailure(field, error));
    }
  };
  // A kernel thread has no user memory: its smaps_rollup is empty.
  if (report.memoryUsage && !(stat && stat.vsize === 0n)) {
    const usage = report.memoryUsage;
    part('smaps_rollup', () => {
      const rollup = parseSmapsRollup(procfs.readFile(pid, 'smaps_rollup'));
      usage.ussBytes = rollup.uss;
      usage.pssBytes = rollup.pss;
      usage.swapBytes = rollup.swap;
    });
  }
  part('cgroup', () => {
    const paths = parseCgroup(procfs.readFile(pid, 'cgroup')).map((entry) => entry.path);
    report.cgroups = paths;
    const container = containerOf(paths);
    if (container) report.container = container;
  });
  part('namespaces', () => {
    const namespaces: Record<string, number> = {};
    for (const type of NAMESPACE_TYPES) {
      try {
        namespaces[type] = parseNamespaceLink(procfs.readNamespace(pid, type)).inode;
      } catch (error) {
        // An older kernel has no time namespace: that link is simply not there.
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      }
    }
    report.namespaces = namespaces;
  });
  part('limits', () => {
    report.limits = parseLimits(procfs.readFile(pid, 'limits')).rows.map((row) => ({
      key: row.key ?? row.name,
      soft: Number.isFinite(row.soft) ? row.soft : null,
      hard: Number.isFinite(row.hard) ? row.hard : null,
      unit: row.unit,
    }));
  });
  return report;
}

function uptimeSeconds(process: Process): number {
  const text = new TextDecoder().decode(process.procfs.readSystemFile('uptime'));
  return Number(text.split(' ')[0]);
}

/** The rows `inspect` prints for these parts, as label and value. */
export function resourceRows(report: ResourcesReport): [string, string][] {
  const rows: [string, string][] = [];
  const { cpu, memoryUsage, scheduling } = report;
  if (cpu) {
    rows.push([
      'cpu',
      `user ${cpu.userSeconds.toFixed(2)} s, system ${cpu.systemSeconds.toFixed(2)} s, ${percentText(cpu.lifetimePercent)}% over its life` +
        ` (waited-for children: user ${cpu.childrenUserSeconds.toFixed(2)} s, system ${cpu.childrenSystemSeconds.toFixed(2)} s)`,
    ]);
  }
  if (memoryUsage) {
    const parts = [
      `RSS ${bytesText(memoryUsage.residentBytes)}`,
      `VSZ ${bytesText(memoryUsage.virtualBytes)}`,
    ];
    if (memoryUsage.ussBytes !== undefined) parts.push(`USS ${bytesText(memoryUsage.ussBytes)}`);
    if (memoryUsage.pssBytes !== undefined) parts.push(`PSS ${bytesText(memoryUsage.pssBytes)}`);
    if (memoryUsage.swapBytes !== undefined) parts.push(`swap ${bytesText(memoryUsage.swapBytes)}`);
    rows.push(['memory use', parts.join(', ')]);
  }
  if (scheduling) {
    rows.push([
      'scheduling',
      `${scheduling.stateName} (${scheduling.state}), ${scheduling.threads} thread${scheduling.threads === 1 ? '' : 's'}, nice ${scheduling.nice}, priority ${scheduling.priority}`,
    ]);
  }
  return rows;
}

// What `procmon inspect` shows about a process's use of the machine: CPU (times and lifetime
// percent), memory (RSS and VSZ from stat; USS, PSS and swap from smaps_rollup when readable),
// scheduling (threads, nice, priority, state), cgroups and the container they name, namespaces
// and resource limits. Each part is read on its own; one that fails is listed with the reason.
import type { CgroupContainer, LimitKey, Stat } from '@procmon/parse';
import { cpuTimesOf, type FieldFailure, type Process } from '@procmon/process';
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
  if (stat) {
    const ticks = facts.clockTicks;
    const times = cpuTimesOf(stat, ticks);
    report.cpu = {
      userSeconds: times.user,
      systemSeconds: times.system,
      childrenUserSeconds: times.childrenUser,
      childrenSystemSeconds: times.childrenSystem,
      // To "now": this machine's uptime, or a snapshot's at its capture.
      lifetimePercent: lifetimeCpuPercent(
        stat,
        ticks,
        process.procfs.machineMoment().uptimeSeconds,
      ),
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
  // The parts beyond the stat, read by the model with the identity checked after them.
  const resources = process.resources();
  failures.push(...resources.failures);
  if (report.memoryUsage && resources.memory) {
    report.memoryUsage.ussBytes = resources.memory.ussBytes;
    report.memoryUsage.pssBytes = resources.memory.pssBytes;
    report.memoryUsage.swapBytes = resources.memory.swapBytes;
  }
  if (resources.cgroups) report.cgroups = resources.cgroups;
  if (resources.container) report.container = resources.container;
  if (resources.namespaces) report.namespaces = resources.namespaces;
  if (resources.limits) {
    report.limits = resources.limits.map((row) => ({
      key: row.key ?? row.name,
      soft: Number.isFinite(row.soft) ? row.soft : null,
      hard: Number.isFinite(row.hard) ? row.hard : null,
      unit: row.unit,
    }));
  }
  return report;
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

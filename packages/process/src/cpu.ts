// CPU time of a process in seconds, and CPU percent between two samples, as top and psutil's
// cpu_percent compute it: the user and system time the process spent between two moments, over
// the wall time between them, times 100. One busy core is 100; a process with several busy
// threads goes above it (top's "Irix mode", psutil's default).
import type { Stat } from '@procmon/parse';
import type { ProcFS } from '@procmon/procfs';

/** A process's CPU time so far, in seconds (the kernel counts clock ticks: `ticks / CLK_TCK`). */
export interface CpuTimes {
  user: number;
  system: number;
  /** Of its children that exited and were waited for. */
  childrenUser: number;
  childrenSystem: number;
}

/** A process's CPU time at a moment: what cpuPercent compares. */
export interface CpuSample {
  pid: number;
  startTime: number;
  /** user + system, in seconds. */
  cpuSeconds: number;
  /**
   * When its stat was read, in seconds on a monotonic clock: performance.now() live, the captured
   * machine's uptime at the capture for a snapshot (`sampleSecondsOf`). Only samples of one
   * source compare.
   */
  takenAt: number;
}

export function cpuTimesOf(stat: Stat, clockTicks: number): CpuTimes {
  return {
    user: stat.utime / clockTicks,
    system: stat.stime / clockTicks,
    childrenUser: stat.cutime / clockTicks,
    childrenSystem: stat.cstime / clockTicks,
  };
}

/** The sample of a stat read at `takenAt` (seconds, performance.now() / 1000). */
export function cpuSampleOf(stat: Stat, clockTicks: number, takenAt: number): CpuSample {
  return {
    pid: stat.pid,
    startTime: stat.startTime,
    cpuSeconds: (stat.utime + stat.stime) / clockTicks,
    takenAt,
  };
}

/** Now on the monotonic clock samples use, in seconds. */
export const monotonicSeconds = (): number => performance.now() / 1000;

/**
 * When a stat read through `procfs` was read, on the clock of its samples: now on the monotonic
 * clock, or, for captured data (a snapshot), the captured machine's seconds since boot at the
 * capture: every stat of a snapshot was read at that one moment, never at this machine's now.
 */
export function sampleSecondsOf(procfs: ProcFS): number {
  return procfs.backend.machineFacts?.capturedAt?.uptimeSeconds ?? monotonicSeconds();
}

/**
 * CPU percent between two samples of one process; undefined when they are not of one process
 * (another pid, or the pid reused: another start time) or no time passed between them.
 */
export function cpuPercent(earlier: CpuSample, later: CpuSample): number | undefined {
  if (earlier.pid !== later.pid || earlier.startTime !== later.startTime) return undefined;
  const wall = later.takenAt - earlier.takenAt;
  if (!(wall > 0)) return undefined;
  return (Math.max(0, later.cpuSeconds - earlier.cpuSeconds) / wall) * 100;
}

/**
 * CPU percent of every process in both sample sets (two scans), by pid. A process only in the
 * later set started in between: its percent is over its own life since the earlier set was
 * taken, as top shows a new process (its CPU time counted from zero at `earliest`).
 */
export function cpuPercents(
  earlier: readonly CpuSample[],
  later: readonly CpuSample[],
): Map<number, number> {
  const before = new Map(earlier.map((sample) => [sample.pid, sample]));
  const earliest = Math.min(...earlier.map((sample) => sample.takenAt));
  const percents = new Map<number, number>();
  for (const sample of later) {
    const previous = before.get(sample.pid);
    const percent =
      previous !== undefined && previous.startTime === sample.startTime
        ? cpuPercent(previous, sample)
        : cpuPercent({ ...sample, cpuSeconds: 0, takenAt: earliest }, sample);
    if (percent !== undefined) percents.set(sample.pid, percent);
  }
  return percents;
}

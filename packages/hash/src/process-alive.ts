// Whether a checksum read through /proc/<pid>/exe is still the process's, and trustworthy. A
// file that a process runs cannot be opened for writing (ETXTBSY): the process's memory map
// holds it write-denied. So the binary cannot change during the read as long as that memory map
// lives. It goes when the process exits (before the process is a zombie; once it is one, its
// binary can be rewritten) and when the process runs another program (execve). So after the
// read: the process must still run that very file (device and inode of <root>/<pid>/exe), then
// be the same process (start time), and still running: not a zombie, not dead, not exiting.
import type { BigIntStats } from 'node:fs';
import { parseStat, type Stat } from '@procmon/parse';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { HashError } from './errors.js';
import { type Flow, statOf } from './flow.js';
import { linkOf, procFile, taskFile, tasksOf } from './proc-reads.js';

/**
 * PF_EXITING in stat's flags (field 9): set as a task starts to exit, before it lets go of its
 * memory map, while its state letter still reads R, S or D.
 */
const PF_EXITING = 0x4;

/** A task that still holds its memory map: not a zombie, not dead, not exiting. */
const holdsMemory = (stat: Stat): boolean =>
  stat.state !== 'Z' && stat.state !== 'X' && stat.state !== 'x' && (stat.flags & PF_EXITING) === 0;

/**
 * The start time (field 22 of stat, in clock ticks) that with the pid names one process. A
 * process already gone is reported by the exe link's own error, as it always was.
 */
export function* startTimeOf(procfs: ProcFS, pid: number): Flow<number> {
  try {
    return parseStat(yield* procFile(procfs, pid, 'stat')).startTime;
  } catch (error) {
    if (error instanceof ProcessGoneError) yield* linkOf(procfs, pid, 'exe');
    throw error;
  }
}

/**
 * Throws unless process `pid` is still the one that started at `started`, still running (a
 * zombie, a dead or an exiting process is ProcessGoneError), and, when `file` is given (the stat
 * of the file hashed through exe), still runs that file (else HashError ECHANGED: it ran another
 * program meanwhile, which let the file be written).
 */
export function* confirmProcess(
  procfs: ProcFS,
  pid: number,
  started: number,
  file: BigIntStats | undefined,
): Flow<void> {
  // The file first, then the process: a process that runs the file after the read and is alive
  // after that ran it throughout (an exit cannot be undone; an exec away and back can: see the
  // README).
  const running = file ? yield* runningFile(procfs, pid) : undefined;
  const path = `${procfs.root}/${pid}/stat`;
  let stat: Stat;
  try {
    stat = parseStat(yield* procFile(procfs, pid, 'stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) throw error;
    throw new ProcessGoneError(
      `process ${pid} could not be confirmed after its binary was hashed: ${(error as Error).message}`,
      { pid, path, code: 'ESRCH', cause: error },
    );
  }
  if (stat.startTime !== started) {
    throw new ProcessGoneError(
      `process ${pid} exited while its binary was hashed: its pid now names a process started at ${stat.startTime}, not ${started}`,
      { pid, path, code: 'ESRCH' },
    );
  }
  if (!holdsMemory(stat) && !(yield* anotherThreadRuns(procfs, pid))) {
    const what =
      stat.state === 'Z'
        ? 'is a zombie'
        : stat.state === 'X' || stat.state === 'x'
          ? 'is dead'
          : 'is exiting';
    throw new ProcessGoneError(
      `process ${pid} ${what}: it exited while its binary was hashed, and an exited process no longer keeps its binary from being rewritten, so the checksum is not trusted`,
      { pid, path, code: 'ESRCH', zombie: stat.state === 'Z' },
    );
  }
  if (file === undefined) return;
  if (running instanceof Error || running === undefined) {
    throw new HashError(
      `process ${pid} could not be confirmed to still run the file that was hashed: ${running?.message ?? 'no exe link'}`,
      { path: `${procfs.root}/${pid}/exe`, code: 'ECHANGED', cause: running },
    );
  }
  if (running.dev !== file.dev || running.ino !== file.ino) {
    throw new HashError(
      `process ${pid} ran another program (execve) while its binary was hashed: the checksum is of the file it ran before`,
      { path: `${procfs.root}/${pid}/exe`, code: 'ECHANGED' },
    );
  }
}

/**
 * The stat of the file process `pid` runs, through its exe link, or through a live thread's when
 * the main thread has exited (pthread_exit) and its link is gone; the error if neither works.
 */
function* runningFile(procfs: ProcFS, pid: number): Flow<BigIntStats | Error> {
  try {
    return yield* statOf(`${procfs.root}/${pid}/exe`);
  } catch (error) {
    let tasks: number[] = [];
    try {
      tasks = yield* tasksOf(procfs, pid);
    } catch {
      return error as Error;
    }
    for (const tid of tasks) {
      if (tid === pid) continue;
      try {
        return yield* statOf(`${procfs.root}/${pid}/task/${tid}/exe`);
      } catch {
        // that thread is gone too: the next
      }
    }
    return error as Error;
  }
}

/** Whether a thread other than the main one still holds the process's memory map. */
function* anotherThreadRuns(procfs: ProcFS, pid: number): Flow<boolean> {
  let tasks: number[];
  try {
    tasks = yield* tasksOf(procfs, pid);
  } catch {
    return false;
  }
  for (const tid of tasks) {
    if (tid === pid) continue;
    try {
      if (holdsMemory(parseStat(yield* taskFile(procfs, pid, tid, 'stat')))) return true;
    } catch {
      // gone meanwhile: the next
    }
  }
  return false;
}

// Whether a checksum read through /proc/<pid>/exe is still the process's, and trustworthy. A
// file that a process runs cannot be opened for writing (ETXTBSY): the process's memory map
// holds it write-denied. So the binary cannot change during the read as long as that memory map
// lives. It goes when the process exits (before the process is a zombie; once it is one, its
// binary can be rewritten) and when the process runs another program (execve). So after the
// read: the process must still run that very file (device and inode of its exe), then be the
// same process (start time), and still running: not a zombie, not dead, not exiting.
//
// Every fact comes from procfs's flows: the start time and PF_EXITING from stat (parsed by
// @procmon/parse), zombie or dead from procfs's processState, the running file from statExe.
import type { BigIntStats } from 'node:fs';
import { parseStat, type Stat } from '@procmon/parse';
import { all, type Flow, ProcessGoneError, type ProcFS, statExe } from '@procmon/procfs';
import { HashError } from './errors.js';

/**
 * PF_EXITING in stat's flags (field 9): set as a task starts to exit (do_exit), before it lets
 * go of its memory map, while its state letter still reads R, S or D, and never cleared: every
 * zombie or dead task has it. So a main thread without it is running and holds the memory map,
 * which the common case settles with the one stat read; one with it is looked at further.
 */
const PF_EXITING = 0x4;

const isExiting = (stat: Stat): boolean => (stat.flags & PF_EXITING) !== 0;

/**
 * The start time (field 22 of stat, in clock ticks) that with the pid names one process. A
 * process already gone is reported by the exe link's own error, as it always was.
 */
export function* startTimeOf(procfs: ProcFS, pid: number): Flow<number> {
  try {
    return parseStat(yield* procfs.flows.readFile(pid, 'stat')).startTime;
  } catch (error) {
    if (error instanceof ProcessGoneError) yield* procfs.flows.readLink(pid, 'exe');
    throw error;
  }
}

/**
 * Throws unless process `pid` is still the one that started at `started`, still running (a
 * zombie, a dead or an exiting process is ProcessGoneError), and, when `file` is given (the stat
 * of the file hashed through exe), still runs that file (else HashError CHANGED: it ran another
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
  let stat: Stat;
  try {
    stat = parseStat(yield* procfs.flows.readFile(pid, 'stat'));
  } catch (error) {
    if (error instanceof ProcessGoneError) throw error;
    throw new ProcessGoneError(
      `process ${pid} could not be confirmed after its binary was hashed: ${(error as Error).message}`,
      { pid, path: procfs.pathOf(pid, 'stat'), code: 'ESRCH', cause: error },
    );
  }
  if (stat.startTime !== started) {
    throw new ProcessGoneError(
      `process ${pid} exited while its binary was hashed: its pid now names a process started at ${stat.startTime}, not ${started}`,
      { pid, path: procfs.pathOf(pid, 'stat'), code: 'ESRCH' },
    );
  }
  if (isExiting(stat)) yield* confirmAnotherThreadRuns(procfs, pid);
  if (file === undefined) return;
  if (running instanceof Error || running === undefined) {
    throw new HashError(
      `process ${pid} could not be confirmed to still run the file that was hashed: ${running?.message ?? 'no exe link'}`,
      { path: procfs.pathOf(pid, 'exe'), code: 'CHANGED', cause: running },
    );
  }
  if (running.dev !== file.dev || running.ino !== file.ino) {
    throw new HashError(
      `process ${pid} ran another program (execve) while its binary was hashed: the checksum is of the file it ran before`,
      { path: procfs.pathOf(pid, 'exe'), code: 'CHANGED' },
    );
  }
}

/** The file process `pid` runs (see statExe), or the error that says why it cannot be told. */
function* runningFile(procfs: ProcFS, pid: number): Flow<{ dev: bigint; ino: bigint } | Error> {
  try {
    return yield* statExe(procfs, pid);
  } catch (error) {
    return error as Error;
  }
}

/**
 * The main thread is exiting, a zombie or dead (PF_EXITING): the process holds its memory map
 * only while procfs's processState says it is alive (a zombie leader with live threads is: it
 * called pthread_exit) and one of those threads is not exiting itself; else ProcessGoneError.
 */
function* confirmAnotherThreadRuns(procfs: ProcFS, pid: number): Flow<void> {
  const state = yield* procfs.flows.processState(pid);
  if (state === 'alive' && (yield* anotherThreadRuns(procfs, pid))) return;
  const what = state === 'zombie' ? 'is a zombie' : state === 'gone' ? 'is dead' : 'is exiting';
  throw new ProcessGoneError(
    `process ${pid} ${what}: it exited while its binary was hashed, and an exited process no longer keeps its binary from being rewritten, so the checksum is not trusted`,
    { pid, path: procfs.pathOf(pid, 'stat'), code: 'ESRCH', zombie: state === 'zombie' },
  );
}

/**
 * Whether a thread other than the main one is not exiting, and so still holds the process's
 * memory map (the main thread may have called pthread_exit). Their stats are read together.
 */
function* anotherThreadRuns(procfs: ProcFS, pid: number): Flow<boolean> {
  let tasks: number[];
  try {
    tasks = yield* procfs.flows.listTasks(pid);
  } catch {
    return false;
  }
  const others = tasks.filter((tid) => tid !== pid);
  const running = yield* all(others.map((tid) => threadRuns(procfs, pid, tid)));
  return running.includes(true);
}

function* threadRuns(procfs: ProcFS, pid: number, tid: number): Flow<boolean> {
  try {
    return !isExiting(parseStat(yield* procfs.flows.readTaskFile(pid, tid, 'stat')));
  } catch {
    return false; // gone meanwhile: not evidence of life
  }
}

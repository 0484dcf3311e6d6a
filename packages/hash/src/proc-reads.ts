// The ProcFS reads the checksum flows make, each as one request that the sync runner answers
// with the ProcFS call and the async runner with its `promises` twin.
import type { Executable, ProcessState, ProcFS } from '@procmon/procfs';
import { call, type Flow } from './flow.js';

export const procFile = (procfs: ProcFS, pid: number, name: string): Flow<Uint8Array> =>
  call(
    () => procfs.readFile(pid, name),
    () => procfs.promises.readFile(pid, name),
  );

export const taskFile = (
  procfs: ProcFS,
  pid: number,
  tid: number,
  name: string,
): Flow<Uint8Array> =>
  call(
    () => procfs.readTaskFile(pid, tid, name),
    () => procfs.promises.readTaskFile(pid, tid, name),
  );

export const tasksOf = (procfs: ProcFS, pid: number): Flow<number[]> =>
  call(
    () => procfs.listTasks(pid),
    () => procfs.promises.listTasks(pid),
  );

export const exeOf = (procfs: ProcFS, pid: number): Flow<Executable> =>
  call(
    () => procfs.readExe(pid),
    () => procfs.promises.readExe(pid),
  );

export const linkOf = (procfs: ProcFS, pid: number, name: string): Flow<Uint8Array> =>
  call(
    () => procfs.readLink(pid, name),
    () => procfs.promises.readLink(pid, name),
  );

export const stateOf = (procfs: ProcFS, pid: number): Flow<ProcessState> =>
  call(
    () => procfs.processState(pid),
    () => procfs.promises.processState(pid),
  );

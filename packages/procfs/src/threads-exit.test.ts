// Threads that exit before the process does. A main thread that called pthread_exit leaves a
// leader whose stat says Z while the other threads run: the process is alive, and its exe, cwd,
// root and descriptors are read through a live thread. A worker thread that exited is gone, not
// "alive but has no such file".
import { realpathSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  call,
  cleanup,
  compileC,
  errorOf,
  eventually,
  fdMap,
  modes,
  spawnReady,
  tempRoot,
} from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const procfs = new ProcFS();
const mainThreadExit = compileC('main-thread-exit');
const threadExit = compileC('thread-exit');
const noCc = 'no cc on this machine: the C helpers cannot be built';

describe.skipIf(mainThreadExit === undefined)('a main thread that called pthread_exit', () => {
  async function start() {
    const opened = realpathSync(tempRoot({ 'held-file': 'x' }));
    const { child } = await spawnReady(mainThreadExit as string, [`${opened}/held-file`], {
      cwd: opened,
    });
    const pid = child.pid as number;
    await eventually(
      () =>
        /\) Z /.test(new TextDecoder().decode(procfs.readFile(pid, 'stat'))) ? true : undefined,
      'the leader to read as a zombie',
    );
    return { pid, opened };
  }

  it.each(modes)('is alive, with its exe, cwd and descriptors (%s)', async (mode) => {
    const { pid, opened } = await start();
    const api = apiOf(procfs, mode);
    expect(await call(mode, () => api.processState(pid))).toBe('alive');
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(decode(await call(mode, () => api.readLink(pid, 'exe')))).toBe(
      realpathSync(mainThreadExit as string),
    );
    expect(decode(await call(mode, () => api.readLink(pid, 'cwd')))).toBe(opened);
    expect(decode(await call(mode, () => api.readLink(pid, 'root')))).toBe('/');
    const targets = [...fdMap(await call(mode, () => api.listFds(pid))).values()];
    expect(targets).toContain(`${opened}/held-file`);
    expect(targets.some((target) => target.startsWith('socket:['))).toBe(true);
  });
});

describe.skipIf(threadExit === undefined)('a worker thread that exited', () => {
  it.each(modes)('is gone for its task files and descriptors (%s)', async (mode) => {
    const { child } = await spawnReady(threadExit as string, []);
    const pid = child.pid as number;
    const tid = procfs.listTasks(pid).find((task) => task !== pid) as number;
    expect(tid).toBeGreaterThan(0);
    const exitedLine = new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('exited')) resolve();
      }),
    );
    child.stdin?.write('x');
    await exitedLine;
    await eventually(
      () => (procfs.listTasks(pid).includes(tid) ? undefined : true),
      'the thread to leave task/',
    );
    const api = apiOf(procfs, mode);
    for (const run of [
      () => api.readTaskFile(pid, tid, 'comm'),
      () => api.readTaskFile(pid, tid, 'stat'),
      () => api.listTaskFds(pid, tid),
    ]) {
      const error = await errorOf(mode, run);
      expect(error).toBeInstanceOf(ProcessGoneError);
      expect((error as ProcessGoneError).zombie).toBe(false);
      expect((error as ProcessGoneError).pid).toBe(pid);
    }
    // The process itself is alive and still reads.
    expect(await call(mode, () => api.processState(pid))).toBe('alive');
  });
});

if (mainThreadExit === undefined || threadExit === undefined) console.warn(noCc);

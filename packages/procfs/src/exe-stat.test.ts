// statExe: the file a process runs, checked against node:fs's own stat of the binary: this
// process, a process whose main thread called pthread_exit (its exe link is gone, a live
// thread's is not), a pid that names nothing, and a pid that is not one.
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  call,
  cleanup,
  compileC,
  errorOf,
  eventually,
  type Mode,
  modes,
  spawnReady,
  textOf,
} from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { statExe } from './exe-stat.js';
import type { Flow } from './flow.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const procfs = new ProcFS();
/** The flow run in `mode`: its value, or a Promise of it. */
const run = <T>(mode: Mode, flow: Flow<T>): T | Promise<T> =>
  mode === 'sync' ? procfs.run(flow) : procfs.runAsync(flow);
const identity = (stat: { dev: bigint; ino: bigint }) => ({ dev: stat.dev, ino: stat.ino });
const mainThreadExit = compileC('main-thread-exit');

describe.each(modes)('statExe (%s)', (mode) => {
  it("gives this process's binary: the device and inode node:fs gives", async () => {
    const stat = await call(mode, () => run(mode, statExe(procfs, process.pid)));
    expect(identity(stat)).toEqual(identity(statSync(process.execPath, { bigint: true })));
  });

  it.skipIf(mainThreadExit === undefined)(
    'reaches the binary through a live thread when the main one called pthread_exit',
    async () => {
      const { child } = await spawnReady(mainThreadExit as string, ['/dev/null'], {});
      const pid = child.pid as number;
      await eventually(
        () => (/\) Z /.test(textOf(procfs.readFile(pid, 'stat'))) ? true : undefined),
        'the leader to read as a zombie',
      );
      const stat = await call(mode, () => run(mode, statExe(procfs, pid)));
      const binary = statSync(realpathSync(mainThreadExit as string), { bigint: true });
      expect(identity(stat)).toEqual(identity(binary));
    },
  );

  it('is ProcessGoneError for a pid that names no process', async () => {
    // execFileSync returns once the shell exited and was reaped: its pid names nothing now.
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const error = await errorOf(mode, () => run(mode, statExe(procfs, gone)));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).path).toBe(`/proc/${gone}/exe`);
  });

  it('is a TypeError for a pid that is not one, before any read', async () => {
    const error = await errorOf(mode, () => run(mode, statExe(procfs, -1)));
    expect(error).toBeInstanceOf(TypeError);
  });
});

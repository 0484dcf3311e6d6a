// statProcess: `<root>/<pid>` and its owner, checked against node:fs's stat of the same folder:
// this process, a child running as uid 65534 (when setpriv can switch to it), and a pid that
// names nothing.
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { call, cleanup, errorOf, eventually, type Mode, modes } from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const procfs = new ProcFS();
const statOf = (mode: Mode, pid: number) =>
  call(mode, () =>
    mode === 'sync'
      ? procfs.run(procfs.flows.statProcess(pid))
      : procfs.runAsync(procfs.flows.statProcess(pid)),
  );
const canSwitch =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;

describe.each(modes)('statProcess (%s)', (mode) => {
  it("gives this process's folder: the owner and inode node:fs gives", async () => {
    const stat = await statOf(mode, process.pid);
    const expected = statSync(`/proc/${process.pid}`, { bigint: true });
    expect([stat.uid, stat.ino]).toEqual([Number(expected.uid), expected.ino]);
  });

  it.skipIf(!canSwitch)('gives a child running as uid 65534 that owner', async () => {
    const child = spawn('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      'sleep',
      '30',
    ]);
    try {
      const pid = child.pid as number;
      // setpriv execs sleep once it has switched: wait for that uid.
      await eventually(
        () => (statSync(`/proc/${pid}`).uid === 65534 ? true : undefined),
        'the child to run as uid 65534',
      );
      expect((await statOf(mode, pid)).uid).toBe(65534);
    } finally {
      child.kill();
    }
  });

  it('says a pid that names nothing is gone', async () => {
    const error = await errorOf(mode, () =>
      mode === 'sync'
        ? procfs.run(procfs.flows.statProcess(2 ** 22 + 1))
        : procfs.runAsync(procfs.flows.statProcess(2 ** 22 + 1)),
    );
    expect(error).toBeInstanceOf(ProcessGoneError);
  });

  it('refuses a pid that is not one before any read', () => {
    expect(() => procfs.run(procfs.flows.statProcess(-1))).toThrow(TypeError);
  });
});

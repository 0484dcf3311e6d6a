// A zombie: test/zombie.c forks a child that exits at once and does not wait for it. The child's
// folder stays, with its stat and comm; the rest is empty or gone. Not alive, details without a
// throw, state Z in a scan.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  eventually,
  failureSummary,
  release,
  spawnLines,
  statOf,
  styles,
  twin,
} from '../test/helpers.js';
import { Process, scanProcesses, scanProcessesAsync } from './index.js';

let holder: ChildProcess;
let zombie: number;

beforeAll(async () => {
  const { child, lines } = await spawnLines(compileC('zombie'), []);
  holder = child;
  zombie = Number(lines[0]);
  await eventually(() => (statOf(zombie).state === 'Z' ? true : undefined), 'the child to exit');
});

afterAll(async () => {
  // Closing stdin makes the helper reap its zombie and exit.
  await release(holder);
  await cleanupAll();
});

describe.each(styles)('a zombie (%s)', (style) => {
  it('opens (its stat is there): its parent is the helper', async () => {
    const process = await twin(
      style,
      () => Process.open(zombie),
      () => Process.openAsync(zombie),
    );
    expect({ pid: process.pid, ppid: process.ppid, comm: process.comm }).toEqual({
      pid: zombie,
      ppid: holder.pid,
      comm: 'zombie',
    });
  });

  it('is not alive', async () => {
    const process = Process.open(zombie);
    expect(
      await twin(
        style,
        () => process.isAlive(),
        () => process.isAliveAsync(),
      ),
    ).toBe(false);
    // verify() still passes: the pid is this process, only it is dead.
    expect(
      (
        await twin(
          style,
          () => process.verify(),
          () => process.verifyAsync(),
        )
      ).state,
    ).toBe('Z');
  });

  it('has details with comm, and `gone` for the arguments, path, cwd and environment, no throw', async () => {
    const process = Process.open(zombie);
    const details = await twin(
      style,
      () => process.details(),
      () => process.detailsAsync(),
    );
    expect(details).toMatchObject({
      pid: zombie,
      comm: 'zombie',
      path: 'zombie',
      kernelThread: false,
    });
    expect(details.args).toBeUndefined();
    expect(details.cwd).toBeUndefined();
    expect(details.environ).toBeUndefined();
    expect(failureSummary(details.failures)).toEqual([
      { field: 'args', reason: 'gone' },
      { field: 'cwd', reason: 'gone' },
      { field: 'environ', reason: 'gone' },
      { field: 'path', reason: 'gone' },
    ]);
  });

  it('is in a scan with state Z', async () => {
    const scanned = await twin(
      style,
      () => scanProcesses({ fields: ['path', 'args'] }),
      () => scanProcessesAsync({ fields: ['path', 'args'] }),
    );
    const entry = scanned.find((process) => process.pid === zombie);
    expect(entry).toMatchObject({ pid: zombie, ppid: holder.pid, comm: 'zombie', state: 'Z' });
  });
});

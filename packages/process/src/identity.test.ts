// Identity is (pid, start time): a pid that now names another process gives PidReusedError,
// never a mix of two processes' data; a process that exits while read gives ProcessGoneError or
// a partial result marked `gone`. Fixture copies whose stat is rewritten after open, a ProcFS that
// removes files while a collector runs, and live children killed and reaped.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyFixture,
  errorOf,
  exited,
  failureSummary,
  MutatingProcFS,
  rewriteStartTime,
  startHold,
  styles,
  twin,
} from '../test/helpers.js';
import { PidReusedError, Process, ProcessCache } from './index.js';

afterAll(cleanupAll);

function expectReused(error: unknown, pid: number, expected: number, actual: number): void {
  expect(error).toBeInstanceOf(PidReusedError);
  expect(error).toBeInstanceOf(ProcessGoneError);
  const reused = error as PidReusedError;
  expect({
    name: reused.name,
    pid: reused.pid,
    expectedStartTime: reused.expectedStartTime,
    actualStartTime: reused.actualStartTime,
  }).toEqual({ name: 'PidReusedError', pid, expectedStartTime: expected, actualStartTime: actual });
}

describe.each(styles)('a pid reused after open (%s), on a fixture copy', (style) => {
  const reusedProcess = () => {
    const fixture = copyFixture();
    const process = Process.open(100, { procfs: fixture.procfs });
    expect(process.startTime).toBe(1000);
    rewriteStartTime(fixture.root, 100, 4242);
    return { fixture, process };
  };

  // Each collector and check, sync and async: none returns the new holder's data.
  const readers: [string, (process: Process) => unknown, (process: Process) => Promise<unknown>][] =
    [
      ['details', (p) => p.details(), (p) => p.detailsAsync()],
      ['extraInfo', (p) => p.extraInfo(), (p) => p.extraInfoAsync()],
      ['verify', (p) => p.verify(), (p) => p.verifyAsync()],
      ['tree', (p) => p.tree(), (p) => p.treeAsync()],
      ['path', (p) => p.path(), (p) => p.pathAsync()],
      ['parent', (p) => p.parent(), (p) => p.parentAsync()],
      ['isChild', (p) => p.isChild(), (p) => p.isChildAsync()],
    ];

  it.each(readers)('%s() throws PidReusedError', async (_name, sync, async) => {
    const { process } = reusedProcess();
    const error = await errorOf(() =>
      twin(
        style,
        () => sync(process),
        () => async(process),
      ),
    );
    expectReused(error, 100, 1000, 4242);
  });

  it('isAlive() is false', async () => {
    const { process } = reusedProcess();
    expect(
      await twin(
        style,
        () => process.isAlive(),
        () => process.isAliveAsync(),
      ),
    ).toBe(false);
  });

  it('the same process, start time unchanged, reads fine (the control)', async () => {
    const fixture = copyFixture();
    const process = Process.open(100, { procfs: fixture.procfs });
    const details = await twin(
      style,
      () => process.details(),
      () => process.detailsAsync(),
    );
    expect(details.startTime).toBe(1000);
    expect(details.comm).toBe('app');
  });

  it('a cache entry is refused after the reuse: get returns undefined and drops it', async () => {
    const fixture = copyFixture();
    const cache = new ProcessCache({ procfs: fixture.procfs, now: () => 0 });
    const process = Process.open(100, { procfs: fixture.procfs });
    cache.add(process);
    expect(
      await twin(
        style,
        () => cache.get(100),
        () => cache.getAsync(100),
      ),
    ).toBe(process);
    rewriteStartTime(fixture.root, 100, 4242);
    expect(
      await twin(
        style,
        () => cache.get(100),
        () => cache.getAsync(100),
      ),
    ).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.peek(100)).toBeUndefined();
  });
});

/** A ProcFS that removes the pid's folder right after one file of it was read. */
/** A ProcFS on a fixture copy where `pid`'s folder vanishes once its file `after` was read. */
function vanishingProcFS(root: string, pid: number, after: string): ProcFS {
  return new MutatingProcFS(root, (readPid, name) => {
    if (readPid === pid && name === after)
      rmSync(join(root, String(pid)), { recursive: true, force: true });
  });
}

describe.each(styles)('a process that exits while it is read (%s)', (style) => {
  it('keeps what details() read before, and marks the rest gone (files vanish after cmdline)', async () => {
    const fixture = copyFixture();
    const procfs = vanishingProcFS(fixture.root, 100, 'cmdline');
    const process = Process.open(100, { procfs });
    const details = await twin(
      style,
      () => process.details(),
      () => process.detailsAsync(),
    );
    expect(details).toMatchObject({
      args: ['/opt/app/bin/app', '--name', 'two words', '', 'last'],
      command: '/opt/app/bin/app --name two words  last',
      // The exe link went with the rest: the path falls back to comm.
      path: 'app',
      pathSource: 'comm',
    });
    expect(details.cwd).toBeUndefined();
    expect(details.environ).toBeUndefined();
    // comm comes from the stat read last, to check the identity; gone by then, it is the comm
    // the process had when it was opened.
    expect(details.comm).toBe('app');
    expect(failureSummary(details.failures)).toEqual([
      { field: 'cwd', reason: 'gone' },
      { field: 'environ', reason: 'gone' },
      { field: 'path', reason: 'gone' },
    ]);
  });

  it('keeps what extraInfo() read before (files vanish after environ)', async () => {
    const fixture = copyFixture();
    const procfs = vanishingProcFS(fixture.root, 100, 'environ');
    const process = Process.open(100, { procfs });
    const info = await twin(
      style,
      () => process.extraInfo(),
      () => process.extraInfoAsync(),
    );
    expect(info.environ?.get('EQ')).toBe('a=b=c');
    expect(failureSummary(info.failures)).toEqual([
      { field: 'descriptors', reason: 'gone' },
      { field: 'io', reason: 'gone' },
      { field: 'maps', reason: 'gone' },
      { field: 'stack', reason: 'gone' },
      { field: 'stat', reason: 'gone' },
      { field: 'statm', reason: 'gone' },
      { field: 'status', reason: 'gone' },
    ]);
  });

  it('details() and extraInfo() throw ProcessGoneError (not PidReusedError) for a live child killed and reaped', async () => {
    const { child, pid } = await startHold(compileC('hold'), []);
    const process = Process.open(pid);
    expect(process.isAlive()).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    for (const run of [
      () =>
        twin(
          style,
          () => process.details(),
          () => process.detailsAsync(),
        ),
      () =>
        twin(
          style,
          () => process.extraInfo(),
          () => process.extraInfoAsync(),
        ),
      () =>
        twin(
          style,
          () => process.verify(),
          () => process.verifyAsync(),
        ),
    ]) {
      const error = await errorOf(run);
      expect(error).toBeInstanceOf(ProcessGoneError);
      expect(error).not.toBeInstanceOf(PidReusedError);
      expect((error as ProcessGoneError).pid).toBe(pid);
    }
    expect(
      await twin(
        style,
        () => process.isAlive(),
        () => process.isAliveAsync(),
      ),
    ).toBe(false);
  });

  it('open() of a pid that is gone throws ProcessGoneError', async () => {
    const { child, pid } = await startHold(compileC('hold'), []);
    child.kill('SIGKILL');
    await exited(child);
    const error = await errorOf(() =>
      twin(
        style,
        () => Process.open(pid),
        () => Process.openAsync(pid),
      ),
    );
    expect(error).toBeInstanceOf(ProcessGoneError);
  });
});

describe('Process.open', () => {
  it.each([-1, 0, 1.5, Number.NaN])(
    'refuses pid %s with a TypeError, sync and async',
    async (pid) => {
      expect(() => Process.open(pid)).toThrow(TypeError);
      await expect(Process.openAsync(pid)).rejects.toThrow(TypeError);
    },
  );

  it('reads the identity from stat: pid, start time, ppid and comm of a spawned child', async () => {
    const hold = compileC('hold');
    const { pid } = await startHold(hold, []);
    const process = await Process.openAsync(pid);
    expect({ pid: process.pid, ppid: process.ppid, comm: process.comm }).toEqual({
      pid,
      ppid: globalThis.process.pid,
      comm: 'hold',
    });
    expect(process.startTime).toBe(Process.open(pid).startTime);
    expect(process.toString()).toBe(`process ${pid} (hold, started at tick ${process.startTime})`);
  });
});

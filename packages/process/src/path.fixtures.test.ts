// The path rules and details on the hand-written fixture tree (test/fixtures/README.md): each
// pid folder is one case, and the expected values below are written by hand from its files.
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  copyFixture,
  type FixtureCopy,
  failureSummary,
  styles,
  twin,
} from '../test/helpers.js';
import { KERNEL_CONNECTION, Process, type ProcessDetails } from './index.js';

afterAll(cleanupAll);

const fixture: FixtureCopy = copyFixture();
const open = (pid: number) => Process.open(pid, { procfs: fixture.procfs });

describe.each(styles)('details (%s) on the fixture tree', (style) => {
  const details = (pid: number): Promise<ProcessDetails> => {
    const process = open(pid);
    return twin(
      style,
      () => process.details(),
      () => process.detailsAsync(),
    );
  };

  it('of a plain process: every field as its files say, realPath through its root link', async () => {
    const result = await details(100);
    expect(result).toMatchObject({
      pid: 100,
      startTime: 1000,
      path: '/opt/app/bin/app',
      realPath: `${fixture.root}/100/root/opt/app/bin/app`,
      deleted: false,
      kernelThread: false,
      pathSource: 'exe',
      comm: 'app',
      args: ['/opt/app/bin/app', '--name', 'two words', '', 'last'],
      command: '/opt/app/bin/app --name two words  last',
      cwd: '/nonexistent/srv',
      failures: [],
    });
    const environ = result.environ;
    expect(environ?.get('EQ')).toBe('a=b=c');
    expect(environ?.get('__proto__')).toBe('polluted');
    expect(environ?.get('EMPTY')).toBe('');
    // The first definition, as getenv() sees it; iteration keeps both.
    expect(environ?.get('HOME')).toBe('/root');
    expect([...(environ ?? [])]).toEqual([
      ['HOME', '/root'],
      ['EQ', 'a=b=c'],
      ['__proto__', 'polluted'],
      ['EMPTY', ''],
      ['HOME', '/second'],
    ]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops " (deleted)" and keeps the flag; realPath is the exe link, not the path', async () => {
    // The 101 root link leads to a folder where /opt/app/bin/old does not exist, but a file put
    // there later would not be the binary that runs either.
    expect(await details(101)).toMatchObject({
      path: '/opt/app/bin/old',
      realPath: `${fixture.root}/101/exe`,
      deleted: true,
      pathSource: 'exe',
      args: ['/opt/app/bin/old'],
      command: '/opt/app/bin/old',
    });
  });

  it('replaces an exe link under /proc by args[0]', async () => {
    const result = await details(102);
    expect(result).toMatchObject({
      path: '/opt/tools/tool',
      realPath: '/opt/tools/tool',
      deleted: false,
      pathSource: 'args',
      args: ['/opt/tools/tool', 'run'],
      command: '/opt/tools/tool run',
    });
    // No path failure: the fallback is the rule, not an error (the fixture has no cwd, environ).
    expect(failureSummary(result.failures)).toEqual([
      { field: 'cwd', reason: 'other' },
      { field: 'environ', reason: 'other' },
    ]);
  });

  it('replaces an exe link under /proc by comm when args[0] is under /proc too', async () => {
    const result = await details(103);
    expect(result).toMatchObject({
      path: 'procfall',
      realPath: 'procfall',
      pathSource: 'comm',
      comm: 'procfall',
      // The AppImage fix: args[0] /proc/self/exe becomes the path.
      args: ['procfall', '--x'],
      command: 'procfall --x',
    });
  });

  it('gives an AppImage (args[0] /proc/self/exe) its binary as args[0]', async () => {
    expect(await details(104)).toMatchObject({
      path: '/tmp/.mount_Foo123/usr/bin/foo',
      pathSource: 'exe',
      args: ['/tmp/.mount_Foo123/usr/bin/foo', '--appimage-arg'],
      command: '/tmp/.mount_Foo123/usr/bin/foo --appimage-arg',
    });
  });

  it('calls a process with no exe link and an empty maps a kernel task: Kernel connection, [comm]', async () => {
    const result = await details(105);
    expect(result).toMatchObject({
      path: KERNEL_CONNECTION,
      realPath: KERNEL_CONNECTION,
      kernelThread: true,
      deleted: false,
      pathSource: 'kernel',
      comm: 'kworker/0:1',
      args: ['kworker/0:1'],
      command: 'kworker/0:1',
      cwd: '/nonexistent/kroot',
    });
    expect(KERNEL_CONNECTION).toBe('Kernel connection');
    expect(result.environ?.size).toBe(0);
    expect(result.failures).toEqual([]);
  });

  it('falls back to comm, with a path failure, when exe cannot be read and maps is not empty', async () => {
    const result = await details(106);
    expect(result).toMatchObject({
      path: 'noexe',
      realPath: 'noexe',
      kernelThread: false,
      pathSource: 'comm',
      args: ['noexe-bin'],
    });
    // The exe link is missing while the process is alive: not `gone`, something else.
    expect(failureSummary(result.failures)).toEqual([
      { field: 'cwd', reason: 'other' },
      { field: 'environ', reason: 'other' },
      { field: 'path', reason: 'other' },
    ]);
    expect(result.failures.find((f) => f.field === 'path')?.error.message).toContain(
      `${fixture.root}/106/exe`,
    );
  });

  it('keeps a relative exe link that stays relative, with a failure saying so (no endless re-read)', async () => {
    const result = await details(107);
    expect(result).toMatchObject({
      path: 'bin/relexe',
      realPath: 'bin/relexe',
      pathSource: 'exe',
      args: ['relexe'],
    });
    const failure = result.failures.find((f) => f.field === 'path');
    expect(failure?.reason).toBe('other');
    expect(failure?.message).toContain('bin/relexe');
  });

  it('of a zombie: comm, and `gone` for everything else, without a throw', async () => {
    const result = await details(141);
    expect(result).toMatchObject({ pid: 141, comm: 'zomb', path: 'zomb', kernelThread: false });
    expect(result.args).toBeUndefined();
    expect(result.command).toBeUndefined();
    expect(result.cwd).toBeUndefined();
    expect(result.environ).toBeUndefined();
    expect(failureSummary(result.failures)).toEqual([
      { field: 'args', reason: 'gone' },
      { field: 'cwd', reason: 'gone' },
      { field: 'environ', reason: 'gone' },
      { field: 'path', reason: 'gone' },
    ]);
  });
});

describe.each(styles)('path (%s) on the fixture tree', (style) => {
  const path = (pid: number) => {
    const process = open(pid);
    return twin(
      style,
      () => process.path(),
      () => process.pathAsync(),
    );
  };

  it('is the exe link, through the root link when the binary is there', async () => {
    expect(await path(100)).toEqual({
      path: '/opt/app/bin/app',
      realPath: `${fixture.root}/100/root/opt/app/bin/app`,
      deleted: false,
      kernelThread: false,
      source: 'exe',
    });
  });

  it('of an exe link under /proc without arguments to fall back on is comm', async () => {
    expect(await path(102)).toEqual({
      path: 'appimg-args',
      realPath: 'appimg-args',
      deleted: false,
      kernelThread: false,
      source: 'comm',
    });
  });

  it('of a kernel task is Kernel connection', async () => {
    expect(await path(105)).toMatchObject({ path: KERNEL_CONNECTION, kernelThread: true });
  });
});

// scanProcesses and scanProcessesAsync: 20 children with known arguments, environment and cwd
// appear with this process as their parent; children killed before the scan do not; the fixture
// tree scans to the values written in it; processes that exit or change hands mid-scan.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  copyFixture,
  errorOf,
  eventually,
  exited,
  failureSummary,
  MutatingProcFS,
  rewriteStartTime,
  startHold,
  statOf,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import { SCAN_FIELDS, type ScannedProcess, scanProcesses, scanProcessesAsync } from './index.js';

afterAll(cleanupAll);

const scan = (style: 'sync' | 'async', options: Parameters<typeof scanProcesses>[0] = {}) =>
  twin(
    style,
    () => scanProcesses(options),
    () => scanProcessesAsync(options),
  );

describe('a scan with 20 children of this process', () => {
  let binary: string;
  let cwd: string;
  const children: { pid: number; index: number; startTime: number }[] = [];
  const killed: { pid: number; startTime: number }[] = [];
  const argsOf = (index: number) => [binary, `child-${index}`, 'x y', ''];

  beforeAll(async () => {
    binary = copyBinary(compileC('hold'), tempFolder(), 'procmon-scan-holder');
    cwd = tempFolder('procmon-scan-cwd-');
    const started = await Promise.all(
      Array.from({ length: 23 }, (_, index) =>
        startHold(binary, argsOf(index).slice(1), { cwd, env: { SCAN_INDEX: String(index) } }),
      ),
    );
    started.forEach(({ pid }, index) => {
      const entry = { pid, index, startTime: statOf(pid).startTime };
      if (index < 20) children.push(entry);
      else killed.push(entry);
    });
    for (const { child } of started.slice(20)) child.kill('SIGKILL');
    await Promise.all(started.slice(20).map(({ child }) => exited(child)));
    // A child that just said ready may still be running on its way to the blocking read.
    for (const { pid } of children) {
      await eventually(() => (statOf(pid).state === 'S' ? true : undefined), `child ${pid} asleep`);
    }
  }, 30_000);

  const expected = (index: number, pid: number, startTime: number): ScannedProcess => ({
    pid,
    ppid: process.pid,
    // comm is the binary's name cut to 15 bytes.
    comm: 'procmon-scan-ho',
    state: 'S',
    startTime,
    path: binary,
    pathSource: 'exe',
    deleted: false,
    kernelThread: false,
    args: argsOf(index),
    command: `${binary} child-${index} x y `,
    stat: expect.objectContaining({ pid, ppid: process.pid, startTime, state: 'S', numThreads: 1 }),
    readAt: expect.any(Number),
    gone: false,
    failures: [],
  });

  describe.each(styles)('(%s)', (style) => {
    it('finds each child with its ppid, comm, state, path and arguments (default fields)', async () => {
      const scanned = await scan(style);
      const byPid = new Map(scanned.map((entry) => [entry.pid, entry]));
      for (const { pid, index, startTime } of children) {
        expect(byPid.get(pid)).toEqual(expected(index, pid, startTime));
      }
    });

    it('reads cwd, environ and uids when asked', async () => {
      const scanned = await scan(style, { fields: SCAN_FIELDS });
      const byPid = new Map(scanned.map((entry) => [entry.pid, entry]));
      const uid = process.getuid?.() as number;
      for (const { pid, index, startTime } of children) {
        const entry = byPid.get(pid);
        expect({ ...entry, environ: undefined, status: undefined }).toEqual({
          ...expected(index, pid, startTime),
          cwd,
          environ: undefined,
          status: undefined,
          uids: { real: uid, effective: uid, saved: uid, filesystem: uid },
        });
        expect([...(entry?.environ ?? [])]).toEqual([['SCAN_INDEX', String(index)]]);
        // The whole status from the same read: its pid, its ids, and memory as the file says.
        const status = entry?.status;
        expect(status?.pid).toBe(pid);
        expect(status?.uid).toEqual(entry?.uids);
        const rssKiB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        expect(status?.sizesBytes.get('VmRSS')).toBeGreaterThan(0);
        expect(
          Math.abs((status?.sizesBytes.get('VmRSS') ?? 0) / 1024 - Number(rssKiB?.[1])),
        ).toBeLessThanOrEqual(64);
      }
    });

    it('does not list the children killed and reaped before the scan', async () => {
      const scanned = await scan(style);
      for (const { pid, startTime } of killed) {
        expect(scanned.find((entry) => entry.pid === pid && entry.startTime === startTime)).toBe(
          undefined,
        );
      }
    });

    it('lists every process once, in pid order, this one included', async () => {
      const scanned = await scan(style, { fields: [] });
      const pids = scanned.map((entry) => entry.pid);
      expect(pids).toEqual([...new Set(pids)].sort((a, b) => a - b));
      expect(pids).toContain(process.pid);
      expect(pids).toContain(1);
      const self = scanned.find((entry) => entry.pid === process.pid);
      expect(self?.path).toBeUndefined();
      expect(self?.args).toBeUndefined();
    });
  });

  it('gives the same entries for the children sync and async', async () => {
    const pids = new Set(children.map((child) => child.pid));
    const pick = (entries: ScannedProcess[]) =>
      entries
        .filter((entry) => pids.has(entry.pid))
        // The sleeping children's stats are the same in both, but for the moment they were read.
        // Their status too, but for SigQ: the signals queued to their user (root), which every
        // other root process (a fork storm's SIGCHLDs) moves between the two scans.
        .map(({ readAt: _, ...entry }) => ({
          ...entry,
          environ: [...(entry.environ ?? [])],
          status: entry.status && { ...entry.status, sigQ: undefined },
        }));
    const sync = pick(scanProcesses({ fields: SCAN_FIELDS }));
    const async = pick(await scanProcessesAsync({ fields: SCAN_FIELDS, concurrency: 3 }));
    expect(sync).toHaveLength(20);
    expect(async).toEqual(sync);
  });
});

describe.each(styles)('scan option checks (%s)', (style) => {
  it('refuses an unknown field with a TypeError', async () => {
    const error = await errorOf(() =>
      scan(style, { fields: ['path', 'nope' as unknown as 'path'] }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('nope');
  });
});

it.each([0, -1, 1.5, Number.NaN])(
  'scanProcessesAsync refuses concurrency %s with a TypeError',
  async (concurrency) => {
    await expect(scanProcessesAsync({ concurrency })).rejects.toThrow(TypeError);
  },
);

describe.each(styles)('a scan of the fixture tree (%s)', (style) => {
  it('gives the values written in it', async () => {
    const fixture = copyFixture();
    const scanned = await scan(style, { procfs: fixture.procfs, fields: SCAN_FIELDS });
    const byPid = new Map(scanned.map((entry) => [entry.pid, entry]));
    expect(scanned.map((entry) => entry.pid)).toEqual([
      1, 100, 101, 102, 103, 104, 105, 106, 107, 110, 111, 112, 113, 114, 120, 121, 130, 131, 132,
      133, 134, 135, 136, 137, 141,
    ]);
    expect(byPid.get(100)).toMatchObject({
      ppid: 1,
      comm: 'app',
      state: 'S',
      startTime: 1000,
      path: '/opt/app/bin/app',
      deleted: false,
      args: ['/opt/app/bin/app', '--name', 'two words', '', 'last'],
      command: '/opt/app/bin/app --name two words  last',
      cwd: '/nonexistent/srv',
      gone: false,
    });
    expect(byPid.get(101)).toMatchObject({ path: '/opt/app/bin/old', deleted: true });
    expect(byPid.get(104)?.args).toEqual(['/tmp/.mount_Foo123/usr/bin/foo', '--appimage-arg']);
    expect(byPid.get(105)).toMatchObject({
      path: 'Kernel connection',
      kernelThread: true,
      args: ['kworker/0:1'],
    });
    const zombie = byPid.get(141);
    expect(zombie).toMatchObject({ state: 'Z', comm: 'zomb', path: 'zomb', gone: false });
    expect(failureSummary(zombie?.failures ?? [])).toEqual([
      { field: 'args', reason: 'gone' },
      { field: 'cwd', reason: 'gone' },
      { field: 'environ', reason: 'gone' },
      { field: 'path', reason: 'gone' },
      { field: 'status', reason: 'gone' },
      { field: 'uids', reason: 'gone' },
    ]);
  });

  it('drops a process whose pid changed hands mid-scan, and marks one that exited as gone', async () => {
    const fixture = copyFixture();
    const procfs = new MutatingProcFS(fixture.root, (pid, name) => {
      if (pid === 110 && name === 'cmdline') rewriteStartTime(fixture.root, 110, 123456);
      if (pid === 111 && name === 'cmdline') {
        rmSync(join(fixture.root, '111'), { recursive: true, force: true });
      }
    });
    const scanned = await scan(style, { procfs, fields: ['args', 'path', 'cwd'] });
    expect(scanned.find((entry) => entry.pid === 110)).toBeUndefined();
    const gone = scanned.find((entry) => entry.pid === 111);
    expect(gone).toMatchObject({
      pid: 111,
      comm: 'leaf',
      gone: true,
      args: ['/opt/chain/leaf'],
      // The exe link went with the rest: comm.
      path: 'leaf',
    });
    expect(failureSummary(gone?.failures ?? [])).toEqual([
      { field: 'cwd', reason: 'gone' },
      { field: 'path', reason: 'gone' },
    ]);
    expect(scanned.find((entry) => entry.pid === 100)?.gone).toBe(false);
  });
});

describe.each(styles)('a scan of the fixture tree with the path alone (%s)', (style) => {
  it('gives no arguments, not even a kernel thread comm as its argument', async () => {
    const fixture = copyFixture();
    const scanned = await twin(
      style,
      () => scanProcesses({ procfs: fixture.procfs, fields: ['path'] }),
      () => scanProcessesAsync({ procfs: fixture.procfs, fields: ['path'] }),
    );
    const kernel = scanned.find((process) => process.pid === 105);
    expect(kernel).toMatchObject({ path: 'Kernel connection', kernelThread: true });
    expect(scanned.filter((process) => 'args' in process || 'command' in process)).toEqual([]);
  });
});

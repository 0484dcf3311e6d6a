// Exec details against processes this test started: what was spawned is what is read; a child
// that is gone, a start time after the event, and (as uid 65534) a root-owned child.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunAsNobody, runAsNobody } from '../../../test-support/as-nobody.js';
import { cleanup, exited, tempFolder, trackChild } from '../../../test-support/processes.js';
import { readExecDetails, readExecDetailsAsync } from './enrich.js';
import type { ExecDetails } from './types.js';

afterAll(cleanup);

const procfs = new ProcFS();
const ALL_GONE: ExecDetails = {
  missing: { path: 'gone', args: 'gone', cwd: 'gone', stat: 'gone', uids: 'gone' },
};

/** Field 22 (start time) of a stat, read with no code of ours. */
function startTimeOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
}

describe('readExecDetails', () => {
  it('reads what was spawned, sync and async', async () => {
    const cwd = tempFolder('procmon-enrich-');
    const child = trackChild(spawn('perl', ['-e', 'sleep 30', 'an arg', ''], { cwd }));
    const pid = child.pid as number;
    const expected: ExecDetails = {
      path: '/usr/bin/perl',
      args: ['perl', '-e', 'sleep 30', 'an arg', ''],
      cwd,
      ppid: process.pid,
      startTime: startTimeOf(pid),
      uids: [0, 1, 2, 3].map(() => process.getuid?.() as number) as ExecDetails['uids'],
      comm: 'perl',
      missing: {},
    };
    expect(readExecDetails(procfs, pid, process.hrtime.bigint())).toEqual(expected);
    expect(await readExecDetailsAsync(procfs, pid, process.hrtime.bigint())).toEqual(expected);
    child.kill('SIGKILL');
    await exited(child);
  });

  it('reads four distinct uids as the Uid line of status shows them', async () => {
    const child = trackChild(spawn('setpriv', ['--ruid=1', '--euid=2', 'sleep', '30']));
    const pid = child.pid as number;
    // setpriv execs sleep: wait for the new program before reading.
    let details = readExecDetails(procfs, pid, process.hrtime.bigint());
    for (let i = 0; i < 500 && details.comm !== 'sleep'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      details = readExecDetails(procfs, pid, process.hrtime.bigint());
    }
    const line = /\nUid:\t(\d+)\t(\d+)\t(\d+)\t(\d+)\n/.exec(
      readFileSync(`/proc/${pid}/status`, 'latin1'),
    );
    expect(line?.slice(1).map(Number)).toEqual([1, 2, 2, 2]);
    expect(details.uids).toEqual([1, 2, 2, 2]);
    child.kill('SIGKILL');
    await exited(child);
  });

  it('gives every field missing, gone, for a child that exited', async () => {
    const child = trackChild(spawn('true'));
    const at = process.hrtime.bigint();
    await exited(child);
    expect(readExecDetails(procfs, child.pid as number, at)).toEqual(ALL_GONE);
  });

  it('gives every field missing, gone, when the process started after the event', async () => {
    // An event a second before this child existed: the pid's process now is not that one.
    const before = process.hrtime.bigint() - 1_000_000_000n;
    const child = trackChild(spawn('sleep', ['30']));
    expect(readExecDetails(procfs, child.pid as number, before)).toEqual(ALL_GONE);
    // The same child against a time after it started is itself.
    expect(readExecDetails(procfs, child.pid as number, process.hrtime.bigint()).missing).toEqual(
      {},
    );
    child.kill('SIGKILL');
    await exited(child);
  });

  it('with exited (its exit in hand): a zombie is read, a live process at the pid is not believed', async () => {
    // sh forks sleep 0.1 and execs sleep 30, which never reaps it: a zombie for this test.
    const parent = trackChild(spawn('/bin/sh', ['-c', 'sleep 0.1 & exec sleep 30']));
    let zombie: number | undefined;
    for (let i = 0; i < 500 && zombie === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const listed = spawnSync('ps', ['-o', 'pid=,stat=', '--ppid', String(parent.pid)], {
        encoding: 'utf8',
      }).stdout;
      const line = listed.split('\n').find((row) => / Z/.test(row));
      if (line !== undefined) zombie = Number.parseInt(line, 10);
    }
    expect(zombie).toBeDefined();
    // Its exec was before now: now is a time its exec event could carry. (A time taken right
    // after the spawn may come before sh forked it, on a loaded machine by more than a tick.)
    const at = process.hrtime.bigint();
    expect(readExecDetails(procfs, zombie as number, at, { exited: true })).toEqual({
      ppid: parent.pid,
      startTime: startTimeOf(zombie as number),
      uids: [0, 1, 2, 3].map(() => process.getuid?.() as number),
      comm: 'sleep',
      missing: { path: 'gone', args: 'gone', cwd: 'gone' },
    });
    // The sleep 30 lives: said to have exited, it is another process at that pid.
    const pid = parent.pid as number;
    expect(readExecDetails(procfs, pid, process.hrtime.bigint(), { exited: true })).toEqual(
      ALL_GONE,
    );
    expect(readExecDetails(procfs, pid, process.hrtime.bigint()).missing).toEqual({});
    parent.kill('SIGKILL');
    await exited(parent);
  });

  it('refuses a bad pid or timestamp with a TypeError', async () => {
    expect(() => readExecDetails(procfs, 0, 1n)).toThrow(/tgid/);
    expect(() => readExecDetails(procfs, 1, -1n)).toThrow(/eventTimestampNs/);
    expect(() => readExecDetails(procfs, 1, 5 as unknown as bigint)).toThrow(/eventTimestampNs/);
    await expect(readExecDetailsAsync(procfs, -1, 1n)).rejects.toThrow(/tgid/);
  });
});

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged.mjs', import.meta.url));

describe.skipIf(!canRunAsNobody && !process.env.CI)('as uid 65534, a root-owned child', () => {
  let pid: number;
  let result: {
    uid: number;
    details: ExecDetails;
    source: { kind: string; reason: string; misses: string[] };
  };

  beforeAll(() => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const child = trackChild(spawn('sleep', ['30', '1']));
    pid = child.pid as number;
    result = runAsNobody(script, [dist, String(pid)]) as typeof result;
  });

  it('runs as 65534', () => {
    expect(result.uid).toBe(65534);
  });

  it('gives path and cwd missing, not-permitted; args, stat and uids read', () => {
    expect(result.details).toEqual({
      args: ['sleep', '30', '1'],
      ppid: process.pid,
      startTime: startTimeOf(pid),
      uids: [0, 0, 0, 0],
      comm: 'sleep',
      missing: { path: 'not-permitted', cwd: 'not-permitted' },
    });
  });

  it("falls back to polling, saying why ('auto' without CAP_NET_ADMIN)", () => {
    expect(result.source.kind).toBe('polling');
    expect(result.source.reason).not.toBe('');
    expect(result.source.misses.length).toBeGreaterThan(0);
  });
});

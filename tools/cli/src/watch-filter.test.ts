// procmon watch's filter and its table of known processes, on constructed events (and one live
// comm the kernel cut inside a character): by type, by user, by program (comm, the executable's
// basename, a comm cut to 15 bytes); what a fork, an exec, a comm or uid change, a resync and an
// exit teach the table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ProcessEvent } from '@procmon/events';
import { parseStat } from '@procmon/parse';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, exited, firstLine, trackChild } from '../../../test-support/processes.js';
import { basename, isProgram, shows, type WatchFilter } from './watch-filter.js';
import { type KnownProcess, ProcessTable } from './watch-processes.js';

afterAll(cleanup);

const base = { timestampNs: 1n, source: 'connector' as const };
const exec = (
  tgid: number,
  details?: Partial<NonNullable<Extract<ProcessEvent, { type: 'exec' }>['details']>>,
): ProcessEvent => ({
  type: 'exec',
  pid: tgid,
  tgid,
  ...base,
  details: details === undefined ? undefined : { missing: {}, ...details },
});
const exit = (pid: number, tgid = pid): ProcessEvent => ({
  type: 'exit',
  pid,
  tgid,
  code: 0,
  ...base,
});
const fork = (parent: number, child: number, childTgid = child): ProcessEvent => ({
  type: 'fork',
  parentPid: parent,
  parentTgid: parent,
  childPid: child,
  childTgid,
  ...base,
});
const lost: ProcessEvent = { type: 'lost', reason: 'overrun', ...base };
const resync: ProcessEvent = { type: 'resync', running: [], started: [], gone: [], ...base };

const curl: KnownProcess = { uid: 1000, comm: 'curl', path: '/usr/bin/curl', args: ['curl'] };

describe('shows', () => {
  it('passes everything with no filter', () => {
    for (const event of [exec(5), exit(5), fork(5, 6), lost, resync]) {
      expect(shows(event, undefined, {})).toBe(true);
    }
  });

  it('keeps only the types asked for, lost and resync included', () => {
    const filter: WatchFilter = { types: new Set(['exec', 'lost']) };
    expect([exec(5), exit(5), fork(5, 6), lost, resync].map((e) => shows(e, curl, filter))).toEqual(
      [true, false, false, true, false],
    );
  });

  it('keeps only the users asked for; an unknown user matches none', () => {
    const filter: WatchFilter = { uids: new Set([0, 1000]) };
    expect(shows(exit(5), curl, filter)).toBe(true);
    expect(shows(exit(5), { ...curl, uid: 33 }, filter)).toBe(false);
    expect(shows(exit(5), { comm: 'x' }, filter)).toBe(false);
    expect(shows(exit(5), undefined, filter)).toBe(false);
  });

  it('lets lost and resync through a user or program filter: the stream may miss anyone', () => {
    const filter: WatchFilter = { uids: new Set([4242]), program: 'nothing' };
    expect([lost, resync].map((e) => shows(e, undefined, filter))).toEqual([true, true]);
  });

  it('keeps only the program asked for, with the other filters', () => {
    const filter: WatchFilter = {
      types: new Set(['exit']),
      uids: new Set([1000]),
      program: 'curl',
    };
    expect(shows(exit(5), curl, filter)).toBe(true);
    expect(shows(exec(5), curl, filter)).toBe(false);
    expect(shows(exit(5), { ...curl, uid: 0 }, filter)).toBe(false);
    expect(shows(exit(5), { ...curl, comm: 'wget', path: '/usr/bin/wget' }, filter)).toBe(false);
  });
});

describe('isProgram', () => {
  it('matches the executable’s basename or the comm, exactly', () => {
    expect(isProgram({ path: '/usr/bin/python3.11', comm: 'myscript' }, 'python3.11')).toBe(true);
    expect(isProgram({ path: '/usr/bin/python3.11', comm: 'myscript' }, 'myscript')).toBe(true);
    expect(isProgram({ path: '/usr/bin/python3.11', comm: 'myscript' }, 'python3')).toBe(false);
    expect(isProgram({ path: '/usr/bin/python3.11', comm: 'myscript' }, 'Myscript')).toBe(false);
    expect(isProgram({ path: '/usr/bin/curl (deleted)' }, 'curl')).toBe(true);
    expect(isProgram(undefined, 'curl')).toBe(false);
  });

  it('matches a name longer than a comm by the 15 bytes the kernel keeps, when no path tells more', () => {
    expect(isProgram({ comm: 'systemd-journal' }, 'systemd-journald')).toBe(true);
    expect(isProgram({ comm: 'systemd-journal' }, 'systemd-journal-x')).toBe(true);
    expect(
      isProgram({ comm: 'systemd-journal', path: '/usr/lib/systemd/other' }, 'systemd-journald'),
    ).toBe(false);
    expect(isProgram({ comm: 'systemd-journ' }, 'systemd-journald')).toBe(false);
  });

  it('matches a long name whose 15th byte cuts a character, as the kernel stored and procmon read it', async () => {
    // A live process renamed to 14 ASCII letters and an é (2 bytes): the kernel keeps its
    // first byte alone; parseStat reads it as the comm the watcher learns.
    const name = 'abcdefghijklmné';
    const script = `import ctypes, time; ctypes.CDLL(None).prctl(15, '${name}'.encode(), 0, 0, 0); print('ok', flush=True); time.sleep(30)`;
    const child = trackChild(spawn('/usr/bin/python3', ['-c', script]));
    try {
      expect(await firstLine(child)).toBe('ok');
      const comm = parseStat(readFileSync(`/proc/${child.pid}/stat`)).comm;
      expect(Buffer.from(readFileSync(`/proc/${child.pid}/comm`)).subarray(0, 15)).toEqual(
        Buffer.from(name).subarray(0, 15),
      );
      expect(isProgram({ comm }, name)).toBe(true);
      expect(isProgram({ comm }, 'abcdefghijklmnè')).toBe(true); // the same first byte, c3
      expect(isProgram({ comm }, 'abcdefghijklmn')).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('takes a path’s last part', () => {
    expect([
      basename('/a/b/c'),
      basename('c'),
      basename('/a/b/'),
      basename('/x/y (deleted)'),
    ]).toEqual(['c', 'c', '', 'y']);
  });
});

describe('ProcessTable', () => {
  it('learns a new process from a fork (a copy of its parent) and drops it at its exit', () => {
    const table = new ProcessTable([[100, curl]]);
    table.learn(fork(100, 101));
    expect(table.get(101)).toEqual({ ...curl, ppid: 100 });
    // A thread is no new process.
    table.learn(fork(100, 102, 100));
    expect(table.get(102)).toBeUndefined();
    // A thread's exit ends no process; the main thread's does.
    table.forget(exit(103, 101));
    expect(table.get(101)).toBeDefined();
    table.forget(exit(101));
    expect(table.get(101)).toBeUndefined();
    expect(table.get(100)).toEqual(curl);
  });

  it('replaces what it knew of a program at exec, keeping the parent and user', () => {
    const table = new ProcessTable([[200, { ...curl, ppid: 1 }]]);
    table.learn(
      exec(200, { path: '/bin/sleep', args: ['sleep', '1'], comm: 'sleep', uids: [0, 33, 33, 33] }),
    );
    expect(table.get(200)).toEqual({
      ppid: 1,
      uid: 33,
      comm: 'sleep',
      path: '/bin/sleep',
      args: ['sleep', '1'],
    });
    // Without details, the old program's name and arguments are dropped, not kept as the new one's.
    table.learn(exec(200));
    expect(table.get(200)).toEqual({ ppid: 1, uid: 33 });
    // A process first seen at its exec (started before the scan, or found by polling).
    table.learn(exec(201, { ppid: 200, path: '/bin/true', args: ['true'], comm: 'true' }));
    expect(table.of(exec(201))).toMatchObject({ ppid: 200, path: '/bin/true' });
  });

  it('follows comm and uid changes of a process, not a thread’s name', () => {
    const table = new ProcessTable([[300, { ...curl }]]);
    table.learn({ type: 'comm', pid: 301, tgid: 300, comm: 'worker', ...base });
    expect(table.get(300)?.comm).toBe('curl');
    table.learn({ type: 'comm', pid: 300, tgid: 300, comm: 'renamed', ...base });
    table.learn({ type: 'uid', pid: 300, tgid: 300, real: 0, effective: 0, ...base });
    expect(table.get(300)).toMatchObject({ comm: 'renamed', uid: 0 });
    // Of a process it does not know, nothing is invented.
    table.learn({ type: 'uid', pid: 9, tgid: 9, real: 0, effective: 0, ...base });
    expect(table.get(9)).toBeUndefined();
  });

  it('takes a resync’s picture: gone ones dropped, started ones added with their parent', () => {
    const table = new ProcessTable([
      [1, { comm: 'init' }],
      [2, { comm: 'gone' }],
    ]);
    table.learn({
      type: 'resync',
      running: [],
      started: [{ tgid: 3, ppid: 1, startTime: 9 }],
      gone: [2],
      ...base,
    });
    expect([table.get(1), table.get(2), table.get(3), table.size]).toEqual([
      { comm: 'init' },
      undefined,
      { ppid: 1 },
      2,
    ]);
  });

  it('has no process for lost and resync', () => {
    const table = new ProcessTable([[1, { comm: 'init' }]]);
    expect([table.of(lost), table.of(resync)]).toEqual([undefined, undefined]);
  });
});

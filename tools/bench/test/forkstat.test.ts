// forkstat's side of the events bench: its lines (captured from forkstat 0.03.01 on this
// machine's kernel, expected values written by hand) parsed into events, and a live forkstat
// that sees every program a known spawner ran, by pid.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, trackChild } from '../../../test-support/processes.js';
import { runShortLived } from '../../../test-support/short-lived.js';
import {
  ForkstatLineError,
  parseForkstatLine,
  parseForkstatOutput,
  readCpuTime,
  startForkstat,
} from '../src/forkstat.mjs';

const captured = readFileSync(new URL('fixtures/forkstat-lines.txt', import.meta.url), 'utf8');
const lines = captured.split('\n');
const lineOf = (start: string) => lines.find((line) => line.startsWith(start)) as string;

const isRoot = process.getuid?.() === 0;
const hasForkstat = (() => {
  try {
    readFileSync('/usr/bin/forkstat');
    return true;
  } catch {
    return false;
  }
})();

afterAll(cleanup);

describe('parseForkstatLine on captured lines', () => {
  it('reads both lines of a fork: the parent, then the child', () => {
    expect(parseForkstatLine(lineOf('01:12:53 fork  22609 parent'))).toEqual({
      type: 'event',
      event: 'fork',
      time: '01:12:53',
      pid: 22609,
      role: 'parent',
      process: 'bash /dev/fd/3',
    });
    expect(parseForkstatLine(lineOf('01:12:53 fork  22614 child'))).toMatchObject({
      event: 'fork',
      pid: 22614,
      role: 'child',
      process: 'bash /dev/fd/3',
    });
    // A child gone before forkstat read its cmdline: the comm, and no trailing space.
    expect(parseForkstatLine(lineOf('01:15:29 fork   1792 child'))).toMatchObject({
      pid: 1792,
      role: 'child',
      process: 'sh',
    });
  });

  it('reads an exec with the new command line', () => {
    expect(parseForkstatLine(lineOf('01:12:53 exec  22617'))).toEqual({
      type: 'event',
      event: 'exec',
      time: '01:12:53',
      pid: 22617,
      process: 'sh -c exit 3',
    });
  });

  it('reads an exit: the raw wait status (exit 3 is 768, SIGKILL 9) and the duration', () => {
    expect(parseForkstatLine(lineOf('01:12:53 exit  22617'))).toEqual({
      type: 'event',
      event: 'exit',
      time: '01:12:53',
      pid: 22617,
      status: 768,
      seconds: 0.003,
      process: 'sh -c exit 3',
    });
    expect(parseForkstatLine(lineOf('01:12:53 exit  22618'))).toMatchObject({
      pid: 22618,
      status: 9,
      seconds: 0.004,
      process: 'sh -c kill -9 $$',
    });
    expect(parseForkstatLine(lineOf('01:12:53 exit  22613'))).toMatchObject({
      status: 0,
      seconds: 0.857,
    });
    // A process that started as forkstat read the start time: a negative duration printed
    // unsigned, read as printed.
    expect(parseForkstatLine(lineOf('01:16:36 exit   8647'))).toMatchObject({
      pid: 8647,
      status: 0,
      seconds: 0.4294967265,
    });
  });

  it('reads a thread as a clone (parent, then thread) and a comm change', () => {
    expect(parseForkstatLine(lineOf('01:15:29 clone  1797'))).toMatchObject({
      event: 'clone',
      pid: 1797,
      role: 'parent',
    });
    expect(parseForkstatLine(lineOf('01:15:29 clone  1801'))).toMatchObject({
      event: 'clone',
      pid: 1801,
      role: 'thread',
    });
    const comm = parseForkstatLine(lineOf('01:15:29 comm   1797'));
    expect(comm).toMatchObject({ event: 'comm', pid: 1797 });
    expect(comm.process).toContain(' -> ');
  });

  it('reads the statistics table forkstat prints with -S', () => {
    expect(parseForkstatLine(lineOf('    Fork     Exec'))).toEqual({ type: 'stats-heading' });
    const row = lines.find((line) => /^ +0 .* setsid \/bin\/true $/.test(line)) as string;
    expect(parseForkstatLine(row)).toEqual({
      type: 'stats',
      counts: {
        fork: 0,
        exec: 1,
        exit: 1,
        coredump: 0,
        comm: 0,
        clone: 0,
        ptrace: 0,
        uid: 0,
        sid: 1,
      },
      total: 3,
      process: 'setsid /bin/true',
    });
  });

  it('reads the ENOBUFS line (written from forkstat.c printf: it did not occur here)', () => {
    expect(
      parseForkstatLine('01:20:00 recv ----- nobufs          (No buffer space available)'),
    ).toEqual({ type: 'nobufs', time: '01:20:00', why: 'No buffer space available' });
  });

  it('counts a whole capture', () => {
    const parsed = parseForkstatOutput(captured);
    expect(parsed.headings).toBe(1);
    expect(parsed.nobufs).toBe(0);
    expect(parsed.stats).toHaveLength(4);
    expect(parsed.events.map((event: { event: string }) => event.event)).toEqual([
      'exit',
      ...['fork', 'fork', 'exec', 'exit'],
      ...['fork', 'fork', 'exec', 'exit'],
      ...['fork', 'fork', 'exec', 'exit'],
      ...['fork', 'exec', 'exec'],
      ...['clone', 'clone', 'comm', 'exit'],
    ]);
  });

  it('names what is wrong with a line it does not know', () => {
    expect(() => parseForkstatLine('recv failed: errno=9 (Bad file descriptor)')).toThrow(
      ForkstatLineError,
    );
    expect(() => parseForkstatLine('01:12:53 exit  22617 soon sh')).toThrow(
      /an exit without status and duration/,
    );
    expect(() => parseForkstatLine('01:12:53 fork  22617 sibling sh')).toThrow(
      /a fork without parent, child or thread/,
    );
  });
});

describe('readCpuTime', () => {
  it('reads the CPU time a child says it used', async () => {
    // The child burns at least 300 ms of CPU, prints its own count, then sleeps (no more CPU).
    const burner = trackChild(
      spawn(
        process.execPath,
        [
          '-e',
          'let u; do { u = process.cpuUsage(); } while (u.user + u.system < 300e3);' +
            'console.log((u.user + u.system) / 1e3); setInterval(() => {}, 1e6);',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    const ownMs = Number(await firstLine(burner));
    const read = readCpuTime(burner.pid as number);
    expect(read.totalMs).toBe(read.userMs + read.systemMs);
    // stat counts whole ticks (10 ms here), sampled: allow two either way.
    expect(read.totalMs).toBeGreaterThanOrEqual(ownMs - 20);
    expect(read.totalMs).toBeLessThanOrEqual(ownMs + 20);
  });
});

describe.skipIf(!isRoot || !hasForkstat)('forkstat live (root)', () => {
  it('sees the fork, exec and exit of every program a spawner ran, by pid', async () => {
    const forkstat = startForkstat();
    await forkstat.ready;
    const run = await runShortLived(20, ['/bin/true']);
    // forkstat prints as it reads; the last exit may still be on its way.
    const seen = (pid: number, event: string) =>
      forkstat.output.events.some(
        (e: { pid: number; event: string }) => e.pid === pid && e.event === event,
      );
    for (let i = 0; i < 100 && !seen(run.pids.at(-1) as number, 'exit'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const cpu = forkstat.cpuTime();
    const output = await forkstat.stop();
    expect(output.unparsed).toEqual([]);
    expect(cpu.totalMs).toBeGreaterThanOrEqual(0);
    for (const pid of run.pids) {
      const mine = output.events.filter((event: { pid: number }) => event.pid === pid);
      expect(mine.map((event: { event: string }) => event.event)).toEqual(['fork', 'exec', 'exit']);
      expect(mine[0].role).toBe('child');
      // No check on mine[1].process: forkstat reads it from /proc after the event, and gets the
      // new command line, the comm, the shell's (cached at the fork) or <unknown>.
      expect(mine[2].status).toBe(0);
    }
    // Every fork's parent line names the spawner (forkstat read it from the child's status;
    // 0 when the child was gone first).
    const parents = output.events.filter(
      (event: { event: string; role?: string }, i: number, all: { pid: number }[]) =>
        event.role === 'parent' && run.pids.includes(all[i + 1]?.pid),
    );
    expect(parents).toHaveLength(20);
    for (const parent of parents) expect([run.spawnerPid, 0]).toContain(parent.pid);
    expect(output.stats.length).toBeGreaterThan(0);
  });
});

// procmon watch through the built binary: usage errors (status 2, the bad value named), --help,
// and live runs that see a child spawned here with known arguments (a copy of sleep under a name
// no other process has, so --program picks it out of whatever else the machine runs). The live
// runs poll (--poll), which works for any user. Polling may catch the child between its fork and
// its exec (it then shows node, and --program does not pick it): the window is well under a
// millisecond against the interval, and the retry vitest allows covers it.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCESS_EVENT_TYPES } from '@procmon/events';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  eventually,
  exited,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { binary, procmon } from '../test/binary.js';

afterAll(cleanup);

describe('procmon watch usage', () => {
  it.each([
    [
      ['watch', '-e', 'exec,bogus'],
      /"bogus" is not an event type \(-e\/--event\); known: fork, exec, exit/,
    ],
    [['watch', '--event', 'exec,,exit'], /an empty event type in "exec,,exit"/],
    [['watch', '--count', '0'], /"0" is not a count of events/],
    [['watch', '--count', '2.5'], /"2\.5" is not a count of events/],
    [['watch', '--interval', 'fast'], /"fast" is not a number of milliseconds/],
    [['watch', '--interval', '3600001'], /"3600001" is not a number of milliseconds/],
    [['watch', '--program', '/usr/bin/curl'], /"\/usr\/bin\/curl" is not a program name/],
    [['watch', '-u', 'no-such-user-procmon'], /no user is named "no-such-user-procmon"/],
    [['watch', '--frobnicate'], /unknown option '--frobnicate'/],
  ])('refuses %j as a usage error (status 2)', (args, message) => {
    const result = procmon(args);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('is in the command list, and its help names every event type', () => {
    const help = procmon(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}watch \[options\] +process events as they happen/m);
    const own = procmon(['watch', '--help']);
    expect(own.status).toBe(0);
    const listed = /only these event types, comma-separated: ([a-z]+(?:, [a-z]+)*)/.exec(
      own.stdout.replace(/\s+/g, ' '),
    );
    expect(listed?.[1]?.split(', ')).toEqual([...PROCESS_EVENT_TYPES]);
    for (const option of [
      '--user',
      '--program',
      '--json',
      '--poll',
      '--interval',
      '--count',
      '--no-details',
    ])
      expect(own.stdout).toContain(option);
  });
});

/** A running `procmon watch`: its output so far, and its end. */
interface Watcher {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once it said on stderr which source runs. */
  started: Promise<void>;
  ended: Promise<number | null>;
}

function startWatch(args: readonly string[]): Watcher {
  const child = trackChild(
    spawn(process.execPath, [binary, 'watch', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    }),
  );
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (err.includes('\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`procmon watch ended before it started: ${err}`)));
  });
  const ended = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, stdout: () => out, stderr: () => err, started, ended };
}

/** A copy of sleep named `name`, run with `seconds`: a program only this test runs. */
function spawnSleeper(name: string, seconds: string): { child: ChildProcess; path: string } {
  const path = join(tempFolder('procmon-watch-test-'), name);
  copyFileSync('/bin/sleep', path);
  const child = trackChild(spawn(path, [seconds], { stdio: 'ignore' }));
  return { child, path };
}

describe('procmon watch, live (polling)', () => {
  it('prints a child’s exec with its details, then its exit, as JSON lines, and stops at --count', async () => {
    const name = `pmw${process.pid}j`;
    const watcher = startWatch(['--poll', '--json', '--program', name, '--count', '2']);
    await watcher.started;
    expect(watcher.stderr()).toMatch(
      /^procmon: watching by polling \/proc every 100 ms \(.*\); it misses /,
    );
    // It lives until its exec was printed: a poll of a loaded machine's /proc can take longer
    // than a short sleep, and polling does not see what lives less than a poll.
    const sleeper = spawnSleeper(name, '600');
    await eventually(() => (watcher.stdout().includes('\n') ? true : undefined), 'the exec line');
    sleeper.child.kill('SIGTERM');
    await exited(sleeper.child);
    expect(await watcher.ended).toBe(0);
    const lines = watcher
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.type, line.pid, line.tgid, line.source])).toEqual([
      ['exec', sleeper.child.pid, sleeper.child.pid, 'polling'],
      ['exit', sleeper.child.pid, sleeper.child.pid, 'polling'],
    ]);
    const [execLine, exitLine] = lines;
    expect(execLine.details).toMatchObject({
      path: sleeper.path,
      args: [sleeper.path, '600'],
      ppid: process.pid,
      missing: {},
    });
    expect(execLine.details.uids[1]).toBe(process.geteuid?.());
    expect(typeof execLine.timestampNs).toBe('string');
    expect(BigInt(exitLine.timestampNs) > BigInt(execLine.timestampNs)).toBe(true);
    expect(exitLine.process).toMatchObject({ path: sleeper.path, ppid: process.pid });
  });

  it('prints a line for people with the child’s pid, parent, program and arguments', async () => {
    const name = `pmw${process.pid}t`;
    const watcher = startWatch([
      '--poll',
      '--interval',
      '50',
      '-u',
      String(process.geteuid?.()),
      '-e',
      'exec',
      '--program',
      name,
      '--count',
      '1',
    ]);
    await watcher.started;
    const sleeper = spawnSleeper(name, '600');
    expect(await watcher.ended).toBe(0);
    const [header, line, ...rest] = watcher.stdout().trimEnd().split('\n');
    expect(header?.split(/ +/)).toEqual([
      'TIME',
      'EVENT',
      'PID',
      'PPID',
      'USER',
      'PROGRAM',
      'ARGS',
    ]);
    expect(rest).toEqual([]);
    const cells = line?.split(/ +/) ?? [];
    expect(cells[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(cells.slice(1, 4)).toEqual(['exec', String(sleeper.child.pid), String(process.pid)]);
    expect(cells.slice(5)).toEqual([name, sleeper.path, '600']);
    sleeper.child.kill();
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends with status 0 on %s', async (signal) => {
    const watcher = startWatch(['--poll', '--no-details', '--program', `pmw${process.pid}none`]);
    await watcher.started;
    watcher.child.kill(signal);
    expect(await watcher.ended).toBe(0);
    // What --no-details leaves --program unable to see is said.
    expect(watcher.stderr()).toContain(
      'with --no-details, what a process runs after an exec is not read',
    );
    expect(watcher.stdout().trimEnd().split('\n')).toHaveLength(1);
  });
});

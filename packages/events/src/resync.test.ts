// The scan of running processes and its diff against a picture: live processes this test
// started (known parent, a zombie made on purpose), and pictures written by hand.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  eventually,
  exited,
  firstLine,
  trackChild,
} from '../../../test-support/processes.js';
import { diffRunning, type PictureEntry, pictureOf, resyncEvent, scanRunning } from './resync.js';
import type { RunningProcess } from './types.js';

afterAll(cleanup);

const procfs = new ProcFS();

/** Field 22 (start time) and 4 (ppid) of a stat, read with no code of ours. */
function statFacts(pid: number): { ppid: number; startTime: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), startTime: Number(fields[19]) };
}

describe('scanRunning', () => {
  it('lists a child with its parent and start time, and leaves out a zombie', async () => {
    // perl forks a child that exits at once, and never waits for it: a zombie.
    const script = 'my $p = fork; exit 0 unless $p; $| = 1; print "$p\\n"; sleep 30';
    const child = trackChild(
      spawn('perl', ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    const zombie = Number(await firstLine(child));
    const pid = child.pid as number;
    const state = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      return stat[stat.lastIndexOf(')') + 2];
    };
    await eventually(() => (state(zombie) === 'Z' ? true : undefined), 'the zombie');
    const running = scanRunning(procfs);
    expect(running.find((p) => p.tgid === pid)).toEqual({ tgid: pid, ...statFacts(pid) });
    expect(statFacts(pid).ppid).toBe(process.pid);
    expect(running.some((p) => p.tgid === zombie)).toBe(false);
    expect(state(zombie)).toBe('Z');
    expect(running.some((p) => p.tgid === 1)).toBe(true);
    expect(running.map((p) => p.tgid)).toEqual(
      [...running.map((p) => p.tgid)].sort((a, b) => a - b),
    );
    child.kill('SIGKILL');
    await exited(child);
  });

  it('does not list a child that exited and was reaped', async () => {
    const child = trackChild(spawn('true'));
    await exited(child);
    expect(scanRunning(procfs).some((p) => p.tgid === child.pid)).toBe(false);
  });
});

describe('diffRunning', () => {
  const a: RunningProcess = { tgid: 10, ppid: 1, startTime: 500 };
  const b: RunningProcess = { tgid: 20, ppid: 1, startTime: 600 };
  const c: RunningProcess = { tgid: 30, ppid: 20, startTime: 700 };

  it('names a dead pid gone and a missing live one started', () => {
    const picture = pictureOf([a, b, { tgid: 99, ppid: 1, startTime: 50 }]);
    expect(diffRunning(picture, [a, b, c])).toEqual({ started: [c], gone: [99] });
  });

  it('names a pid whose start time changed both gone and started', () => {
    const reused: RunningProcess = { tgid: 20, ppid: 10, startTime: 900 };
    expect(diffRunning(pictureOf([a, b]), [a, reused])).toEqual({ started: [reused], gone: [20] });
  });

  it('is empty for the same picture', () => {
    expect(diffRunning(pictureOf([a, b, c]), [a, b, c])).toEqual({ started: [], gone: [] });
  });

  it('asks sameProcess about entries known only from an event', () => {
    const picture = new Map<number, PictureEntry>([[30, { tgid: 30, ppid: 20, seenAtNs: 1n }]]);
    expect(diffRunning(picture, [c], () => true)).toEqual({ started: [], gone: [] });
    expect(diffRunning(picture, [c], () => false)).toEqual({ started: [c], gone: [30] });
    // Without a judge, an entry without a start time is not the process found.
    expect(diffRunning(picture, [c])).toEqual({ started: [c], gone: [30] });
  });

  it('makes a resync event with every process running', () => {
    const event = resyncEvent(pictureOf([a]), [a, b], 'polling', 5n);
    expect(event).toEqual({
      type: 'resync',
      timestampNs: 5n,
      source: 'polling',
      running: [a, b],
      started: [b],
      gone: [],
    });
  });

  it('against a live scan: a fake dead pid is gone, a live child left out is started', async () => {
    const child = trackChild(spawn('sleep', ['30']));
    const pid = child.pid as number;
    const running = scanRunning(procfs);
    const mine = running.find((p) => p.tgid === pid);
    expect(mine).toEqual({ tgid: pid, ...statFacts(pid) });
    // 32768 is pid_max here or higher, and never a pid: pids are below pid_max.
    const deadPid = Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
    const picture = pictureOf([
      ...running.filter((p) => p.tgid !== pid),
      { tgid: deadPid, ppid: 1, startTime: 1 },
    ]);
    expect(diffRunning(picture, running)).toEqual({ started: [mine], gone: [deadPid] });
    child.kill('SIGKILL');
    await exited(child);
  });
});

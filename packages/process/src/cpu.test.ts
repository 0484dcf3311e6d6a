// CPU times and percent against what the process itself measures (process.cpuUsage(), the
// kernel's getrusage): a child burning CPU in a worker thread reports its own CPU time when asked,
// and procmon's samples taken just before and just after must bracket it. No time is asserted:
// how much CPU the child gets depends on the machine's load, what is checked is that procmon
// reads what the kernel counted.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Stat } from '@procmon/parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, trackChild } from '../../../test-support/processes.js';
import { type CpuSample, cpuPercent, cpuPercents, cpuSampleOf, cpuTimesOf } from './cpu.js';
import { Process } from './process.js';

afterAll(cleanup);

// Burns one core in a worker; answers each line on stdin with its own CPU seconds so far.
const BURNER = `
const { Worker } = require('node:worker_threads');
new Worker('for (;;) {}', { eval: true });
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write((user + system) / 1e6 + '\\n');
});
process.stdout.write('ready\\n');
`;

let burner: ChildProcess;
let answers: AsyncIterator<string>;

beforeAll(async () => {
  burner = trackChild(spawn(process.execPath, ['-e', BURNER], { stdio: 'pipe' }));
  expect(await firstLine(burner)).toBe('ready');
  answers = createInterface({ input: burner.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
});

/** The child's own CPU seconds, by asking it. */
async function ownCpuSeconds(): Promise<number> {
  burner.stdin?.write('?\n');
  const { value } = await answers.next();
  return Number(value);
}

/**
 * How far /proc's count may lag behind the process's own: stat gives utime and stime each cut
 * to whole ticks of 1/100 s (two ticks lost at most), and a thread running on another core has
 * its time since its last scheduler tick (CONFIG_HZ: 4 ms at 250 Hz, 10 ms at 100 Hz) counted only at the next:
 * getrusage from inside counts it for its own thread, /proc does not for the busy worker.
 */
const LAG = 4 / 100;

describe.each(['sync', 'async'] as const)('(%s)', (style) => {
  const sample = (p: Process): Promise<CpuSample> | CpuSample =>
    style === 'sync' ? p.cpuSample() : p.cpuSampleAsync();

  it('a busy process: its own CPU time lies between procmon samples before and after', async () => {
    const p = Process.open(burner.pid as number);
    for (let round = 0; round < 3; round++) {
      const before = await sample(p);
      const own = await ownCpuSeconds();
      const after = await sample(p);
      expect(own).toBeGreaterThanOrEqual(before.cpuSeconds - LAG);
      expect(own).toBeLessThanOrEqual(after.cpuSeconds + LAG);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it('cpuPercent is the CPU seconds spent over the wall seconds passed, times 100', async () => {
    const p = Process.open(burner.pid as number);
    const first = await sample(p);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await sample(p);
    const spent = second.cpuSeconds - first.cpuSeconds;
    expect(spent).toBeGreaterThan(0);
    expect(cpuPercent(first, second)).toBeCloseTo((spent / (second.takenAt - first.takenAt)) * 100);
  });

  it('a sleeping process: no CPU time spent, 0 %', async () => {
    const sleeper = trackChild(spawn('sleep', ['300']));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const p = Process.open(sleeper.pid as number);
    const first = await sample(p);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cpuPercent(first, await sample(p))).toBe(0);
    sleeper.kill();
  });
});

it('cpuTimes: the same seconds as the sample, user and system apart', () => {
  const p = Process.open(burner.pid as number);
  const times = p.cpuTimes();
  const after = p.cpuSample();
  expect(times.user).toBeGreaterThan(0);
  expect(times.user + times.system).toBeLessThanOrEqual(after.cpuSeconds + 1e-9);
});

/** A stat with only the fields CPU time is computed from. */
const stat = (pid: number, startTime: number, utime: number, stime: number) =>
  ({ pid, startTime, utime, stime, cutime: 30, cstime: 40 }) as Stat;

describe('from stats', () => {
  it('ticks over CLK_TCK are seconds', () => {
    expect(cpuTimesOf(stat(1, 1, 250, 50), 100)).toEqual({
      user: 2.5,
      system: 0.5,
      childrenUser: 0.3,
      childrenSystem: 0.4,
    });
  });

  it('two samples of a reused pid (another start time) give no percent', () => {
    const a = cpuSampleOf(stat(7, 100, 0, 0), 100, 10);
    const b = cpuSampleOf(stat(7, 200, 50, 0), 100, 11);
    expect(cpuPercent(a, b)).toBeUndefined();
    expect(cpuPercent(a, { ...a, takenAt: 10 })).toBeUndefined();
  });

  it('cpuPercents over two scans: by pid; a new process counted from the first scan', () => {
    const earlier = [
      cpuSampleOf(stat(1, 5, 100, 0), 100, 10),
      cpuSampleOf(stat(2, 5, 0, 0), 100, 10),
    ];
    const later = [
      cpuSampleOf(stat(1, 5, 150, 50), 100, 12), // 1 s of CPU in 2 s: 50 %
      cpuSampleOf(stat(2, 9, 20, 0), 100, 12), // pid 2 reused: 0.2 s since t=10: 10 %
      cpuSampleOf(stat(3, 9, 200, 0), 100, 12), // new: 2 s of CPU in 2 s: 100 %
    ];
    const percents = cpuPercents(earlier, later);
    expect(percents.get(1)).toBeCloseTo(50);
    expect(percents.get(2)).toBeCloseTo(10);
    expect(percents.get(3)).toBeCloseTo(100);
  });
});

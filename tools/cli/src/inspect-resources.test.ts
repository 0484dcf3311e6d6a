// `procmon inspect` on the resources of a process this test starts with a known nice value and
// open-files limit, checked against those and against the kernel's own files (namespace links,
// cgroup) read by the test; and a kernel thread, which has no user memory.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  firstLine,
  HUNG_CHILD_LIMIT,
  trackChild,
} from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;

function inspect(pid: number) {
  const run = spawnSync(
    process.execPath,
    [binary, 'inspect', String(pid), '--json', '--no-checksums'],
    {
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

let child: ChildProcess;
let pid: number;

beforeAll(async () => {
  // nice 7, core files of at most 123456 bytes (soft; hard 789012), then node idling with its
  // thread pool. (Node raises its own open-files limit to the hard one: no limit to test on.)
  child = trackChild(
    spawn(
      'sh',
      [
        '-c',
        `exec prlimit --core=123456:789012 nice -n 7 "${process.execPath}" -e 'console.log("ready"); setInterval(() => {}, 1e6)'`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  await firstLine(child);
  pid = child.pid as number;
});

afterAll(cleanup);

describe('procmon inspect: resources', () => {
  it('nice, priority, threads, state and limits as the process was started', () => {
    const report = inspect(pid);
    expect(report.scheduling).toMatchObject({
      nice: 7,
      priority: 27,
      state: 'S',
      stateName: 'sleeping',
    });
    const threads = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Threads:\s+(\d+)$/m)?.[1];
    expect(report.scheduling.threads).toBe(Number(threads));
    expect(report.limits).toContainEqual({
      key: 'core',
      soft: 123456,
      hard: 789012,
      unit: 'bytes',
    });
    expect(report.limits).toContainEqual({ key: 'as', soft: null, hard: null, unit: 'bytes' });
  });

  it('namespaces and cgroups as the kernel links and files name them', () => {
    const report = inspect(pid);
    for (const type of ['mnt', 'net', 'pid', 'user', 'uts', 'ipc']) {
      const link = readlinkSync(`/proc/${pid}/ns/${type}`);
      expect(`${type}:[${report.namespaces[type]}]`).toBe(link);
    }
    const paths = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split(':').slice(2).join(':'));
    expect(report.cgroups).toEqual(paths);
  });

  it('memory: RSS as statm counts it, USS at most PSS at most RSS', () => {
    const report = inspect(pid);
    const { residentBytes, virtualBytes, ussBytes, pssBytes, swapBytes } = report.memoryUsage;
    expect(residentBytes).toBe(report.memory.residentBytes);
    expect(virtualBytes).toBeGreaterThan(residentBytes);
    expect(ussBytes).toBeGreaterThan(0);
    expect(ussBytes).toBeLessThanOrEqual(pssBytes);
    // Memory moves between reads: PSS within a few pages of RSS at most.
    expect(pssBytes).toBeLessThanOrEqual(residentBytes + 64 * 1024);
    expect(swapBytes).toBeGreaterThanOrEqual(0);
    expect(report.cpu.lifetimePercent).toBeGreaterThanOrEqual(0);
  });

  const kthreadd = (() => {
    try {
      return readFileSync('/proc/2/stat', 'utf8').startsWith('2 (kthreadd) ');
    } catch {
      return false;
    }
  })();
  it.skipIf(!kthreadd)('a kernel thread: no user memory, no smaps_rollup failure', () => {
    const report = inspect(2);
    expect(report.kernelThread).toBe(true);
    expect(report.memoryUsage).toEqual({ residentBytes: 0, virtualBytes: 0 });
    expect(report.failures).toEqual([]);
  });
});

// resources() against what the kernel says by other means: USS, PSS and swap against
// /proc/<pid>/smaps_rollup read line by line here, limits a child was started with by
// prlimit(1), and namespaces and cgroups against the links and the file read with node:fs.
//
// Not against the sums over /proc/<pid>/smaps, which psutil adds up: on this kernel (6.18) they
// differ from the rollup by tens of KiB for a `sleep` (Pss 413 against 427 kB, private 148
// against 168 kB), since the kernel rounds and counts shared pages per mapping there and per
// process in the rollup. The rollup is the kernel's own figure for the whole process.
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, eventually, trackChild } from '../../../test-support/processes.js';
import { Process } from './process.js';

afterAll(cleanup);

let pid: number;

beforeAll(async () => {
  const child = trackChild(spawn('prlimit', ['--nofile=777:888', '--', 'sleep', '300']));
  pid = child.pid as number;
  // prlimit execs sleep: wait until the pid runs it, asleep.
  await eventually(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.includes('(sleep) S') ? true : undefined;
  }, 'sleep asleep');
});

/** The sum of the keys' kB in /proc/<pid>/smaps_rollup, in bytes. */
function rollup(keys: string[]): number {
  let kib = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const [key, value] = line.split(/:\s+/);
    if (key !== undefined && keys.includes(key)) kib += Number.parseInt(value ?? '', 10);
  }
  return kib * 1024;
}

describe.each(['sync', 'async'] as const)('(%s)', (style) => {
  const resources = async () => {
    const p = Process.open(pid);
    return style === 'sync' ? p.resources() : p.resourcesAsync();
  };

  it('USS, PSS and swap as the rollup says, read just before and after', async () => {
    // A sleeping process's own pages do not change, but its shares do when other processes
    // that map the same files start or end (PSS divides, a page no longer shared is private):
    // a reading counts only when the file said the same just before and just after it. Even
    // then the shares may have moved away and back meanwhile (a fork storm elsewhere maps libc
    // thousands of times a second): one of 20 readings must equal both, and a reader that is
    // wrong every time fails.
    const figures = () => [
      rollup(['Private_Clean', 'Private_Dirty']),
      rollup(['Pss']),
      rollup(['Swap']),
    ];
    let settled = false;
    const unlike: string[] = [];
    for (let attempt = 0; attempt < 20 && !settled; attempt++) {
      const before = figures();
      const { memory, failures } = await resources();
      const after = figures();
      if (JSON.stringify(before) !== JSON.stringify(after)) continue;
      expect(failures).toEqual([]);
      const read = [memory?.ussBytes, memory?.pssBytes, memory?.swapBytes];
      if (JSON.stringify(read) === JSON.stringify(before)) settled = true;
      else unlike.push(`read ${read} where the file said ${before}`);
    }
    expect(settled, unlike.join('; ')).toBe(true);
    const { memory } = await resources();
    expect(memory?.ussBytes).toBeGreaterThan(0);
    expect(memory?.ussBytes).toBeLessThanOrEqual(memory?.pssBytes ?? 0);
    expect(memory?.pssBytes).toBeLessThanOrEqual(rollup(['Rss']));
  });

  it('the limits prlimit set: open files 777 soft, 888 hard', async () => {
    const { limits } = await resources();
    expect(limits?.find((row) => row.key === 'nofile')).toMatchObject({
      name: 'Max open files',
      soft: 777,
      hard: 888,
      unit: 'files',
    });
  });

  it('namespaces: the inode of each link; cgroups: the paths of the file', async () => {
    const { namespaces, cgroups } = await resources();
    for (const type of ['net', 'mnt', 'pid', 'user', 'uts', 'ipc'] as const) {
      const link = readlinkSync(`/proc/${pid}/ns/${type}`);
      expect(`${type}:[${namespaces?.[type]}]`).toBe(link);
    }
    const paths = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(':').slice(2).join(':'));
    expect(cgroups).toEqual(paths);
  });

  it('a kernel thread (kthreadd): no memory asked, no failure for it', async () => {
    const p = Process.open(2);
    const { memory, failures } = style === 'sync' ? p.resources() : await p.resourcesAsync();
    expect(p.kernelThread).toBe(true);
    expect(memory).toBeUndefined();
    expect(failures.map((f) => f.field)).not.toContain('smaps_rollup');
  });
});

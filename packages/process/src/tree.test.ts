// The parent chain and tree: a chain of three live processes (test/chain.c, a → b → c) under
// this test process, then this process's own ancestors read with plain fs up to pid 1; and the
// fixture tree's chains: a parent that started after its child, a missing parent, a loop, and
// the reference's isChild cases.
import type { ChildProcess } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  copyFixture,
  exePathOf,
  MutatingProcFS,
  ownAncestry,
  release,
  rewriteStartTime,
  spawnLines,
  statOf,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import { Process, ProcessCache, type ProcFS } from './index.js';

interface Chain {
  child: ChildProcess;
  /** a, b, c: pid and binary of each, outermost first. */
  members: { pid: number; path: string }[];
}

/** Starts `first` with the rest as arguments: each execs the next; resolves once c printed. */
async function startChain(binaries: string[]): Promise<Chain> {
  const [first, ...rest] = binaries as [string, ...string[]];
  const { child, lines } = await spawnLines(first, rest, {}, binaries.length);
  const members = lines.map((line) => {
    const [pid, path] = line.split(' ') as [string, string];
    return { pid: Number(pid), path };
  });
  expect(members.map((member) => member.path)).toEqual(binaries);
  return { child, members };
}

const chains: Chain[] = [];
let distinct: Chain;
let same: Chain;

beforeAll(async () => {
  const folder = tempFolder();
  const chain = compileC('chain');
  const [a, b, c] = ['chain-a', 'chain-b', 'chain-c'].map((name) =>
    copyBinary(chain, folder, name),
  );
  distinct = await startChain([a as string, b as string, c as string]);
  same = await startChain([a as string, a as string, a as string]);
  chains.push(distinct, same);
});

afterAll(async () => {
  // Closing stdin ends each chain deepest first, every process reaped by its parent.
  await Promise.all(chains.map((chain) => release(chain.child)));
  await cleanupAll();
});

describe.each(styles)('a live chain a → b → c (%s)', (style) => {
  it('tree() of c is c, b, a, this process, then its ancestors up to pid 1, each with its path', async () => {
    const [a, b, c] = distinct.members as [
      Chain['members'][0],
      Chain['members'][0],
      Chain['members'][0],
    ];
    expect(a.pid).toBe(distinct.child.pid);
    const process = Process.open(c.pid);
    const tree = await twin(
      style,
      () => process.tree(),
      () => process.treeAsync(),
    );
    expect(tree).toEqual([
      ...[c, b, a].map((member) => ({ ...member, pathSource: 'exe' })),
      { pid: globalThis.process.pid, path: exePathOf(globalThis.process.pid), pathSource: 'exe' },
      ...ownAncestry(),
    ]);
  });

  it('parent() of each is the one before it, with its start time; of a, this process', async () => {
    const [a, b, c] = distinct.members as [
      Chain['members'][0],
      Chain['members'][0],
      Chain['members'][0],
    ];
    for (const [childPid, parentPid] of [
      [c.pid, b.pid],
      [b.pid, a.pid],
      [a.pid, globalThis.process.pid],
    ] as const) {
      const process = Process.open(childPid);
      const parent = await twin(
        style,
        () => process.parent(),
        () => process.parentAsync(),
      );
      expect(parent?.pid).toBe(parentPid);
      expect(parent?.startTime).toBe(statOf(parentPid).startTime);
    }
  });

  it('isChild() is false along a chain of different binaries', async () => {
    for (const { pid } of distinct.members) {
      const process = Process.open(pid);
      expect(
        await twin(
          style,
          () => process.isChild(),
          () => process.isChildAsync(),
        ),
      ).toBe(false);
    }
  });

  it('isChild() is true where the parent runs the same binary and lives (b and c), not for a', async () => {
    const results = [];
    for (const { pid } of same.members) {
      const process = Process.open(pid);
      results.push(
        await twin(
          style,
          () => process.isChild(),
          () => process.isChildAsync(),
        ),
      );
    }
    expect(results).toEqual([false, true, true]);
  });

  it('parents come from the cache when it holds them, and are added to it when read', async () => {
    const [a, b, c] = distinct.members as [
      Chain['members'][0],
      Chain['members'][0],
      Chain['members'][0],
    ];
    const cache = new ProcessCache();
    const cachedB = Process.open(b.pid);
    cache.add(cachedB);
    const process = Process.open(c.pid, { cache });
    const parent = await twin(
      style,
      () => process.parent(),
      () => process.parentAsync(),
    );
    expect(parent).toBe(cachedB);
    const grandparent = await twin(
      style,
      () => (parent as Process).parent(),
      () => (parent as Process).parentAsync(),
    );
    expect(grandparent?.pid).toBe(a.pid);
    // cachedB was opened without the cache: its parent is read, not added. Through c's options:
    const fromC = Process.open(b.pid, { cache });
    const readA = fromC.parent();
    expect(readA?.pid).toBe(a.pid);
    expect(cache.peek(a.pid)).toBe(readA);
  });
});

it('tree() is the same sync and async', async () => {
  const process = Process.open((distinct.members[2] as { pid: number }).pid);
  expect(await process.treeAsync()).toEqual(process.tree());
});

describe.each(styles)('chains in the fixture tree (%s)', (style) => {
  const fixture = copyFixture();
  const open = (pid: number) => Process.open(pid, { procfs: fixture.procfs });
  const tree = (pid: number) => {
    const process = open(pid);
    return twin(
      style,
      () => process.tree(),
      () => process.treeAsync(),
    );
  };
  const parentPid = async (pid: number) => {
    const process = open(pid);
    return (
      await twin(
        style,
        () => process.parent(),
        () => process.parentAsync(),
      )
    )?.pid;
  };
  const isChild = (pid: number) => {
    const process = open(pid);
    return twin(
      style,
      () => process.isChild(),
      () => process.isChildAsync(),
    );
  };

  it('111 → 110 → 100 → 1, nearest first, each with its path', async () => {
    expect(await tree(111)).toEqual([
      { pid: 111, path: '/opt/chain/leaf', pathSource: 'exe' },
      { pid: 110, path: '/opt/chain/mid', pathSource: 'exe' },
      { pid: 100, path: '/opt/app/bin/app', pathSource: 'exe' },
      { pid: 1, path: '/sbin/init', pathSource: 'exe' },
    ]);
  });

  it('pid 1 is a tree of one, with no parent', async () => {
    expect(await tree(1)).toEqual([{ pid: 1, path: '/sbin/init', pathSource: 'exe' }]);
    expect(await parentPid(1)).toBeUndefined();
  });

  it('a parent that started after its child is a reused pid: no parent, the chain ends', async () => {
    expect(await parentPid(112)).toBeUndefined();
    expect(await tree(112)).toEqual([{ pid: 112, path: '/opt/orphan', pathSource: 'exe' }]);
  });

  it('a parent that does not exist ends the chain', async () => {
    expect(await parentPid(114)).toBeUndefined();
    expect(await tree(114)).toEqual([{ pid: 114, path: '/opt/lost', pathSource: 'exe' }]);
  });

  it('a loop ends when it comes back', async () => {
    expect(await parentPid(120)).toBe(121);
    expect(await parentPid(121)).toBe(120);
    expect(await tree(120)).toEqual([
      { pid: 120, path: '/opt/loop/a', pathSource: 'exe' },
      { pid: 121, path: '/opt/loop/b', pathSource: 'exe' },
    ]);
  });

  it('isChild as the reference: listed in the parent task/, or the same binary as a living parent', async () => {
    expect(await isChild(130)).toBe(true);
    expect(await isChild(133)).toBe(true);
    // Same binary, but the parent is a zombie.
    expect(await isChild(134)).toBe(false);
    // Another binary.
    expect(await isChild(136)).toBe(false);
    expect(await isChild(100)).toBe(false);
    expect(await isChild(1)).toBe(false);
  });
});

// A ProcFS on a fixture copy where `pid` changes hands right after its stat was first read: the
// read that found it as a parent saw the old process, every later read sees the new one.
function reusedAfterStat(root: string, pid: number): ProcFS {
  let reused = false;
  return new MutatingProcFS(root, (readPid, name) => {
    if (reused || readPid !== pid || name !== 'stat') return;
    reused = true;
    // The new holder of the pid: a later start time and another binary.
    rewriteStartTime(root, pid, 999_999);
    rmSync(join(root, String(pid), 'exe'));
    symlinkSync('/tmp/not-the-parent', join(root, String(pid), 'exe'));
  });
}

describe.each(styles)(
  'an ancestor whose pid changes hands while the tree is read (%s)',
  (style) => {
    it('ends the chain before it: the new holder and its binary are not listed', async () => {
      // 111 → 110 → 100 → 1; 110 is reused right after 111's parent lookup read its stat.
      const fixture = copyFixture();
      const process = Process.open(111, { procfs: reusedAfterStat(fixture.root, 110) });
      const tree = await twin(
        style,
        () => process.tree(),
        () => process.treeAsync(),
      );
      expect(tree).toEqual([{ pid: 111, path: '/opt/chain/leaf', pathSource: 'exe' }]);
    });
  },
);

// children() and descendants() against a tree this test starts, whose pids the shells print:
// a shell with a sleeping child and a sub-shell that has a sleeping child of its own.
import { spawn } from 'node:child_process';
import type { Stat } from '@procmon/parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { childrenAmong, subtreeAmong } from './children.js';
import { Process, type ProcessNode } from './process.js';

afterAll(cleanup);

// The top shell prints "<sleep> <sub-shell> <grandchild sleep>" once all three run.
const SCRIPT = [
  'sleep 300 & a=$!',
  'mkfifo "$1/p"',
  'sh -c \'sleep 300 & echo $! > "$0/p"; wait\' "$1" & b=$!',
  'c=$(cat "$1/p")',
  'echo "$a $b $c"',
  'wait',
].join('\n');

let top: number;
let sleeper: number;
let subShell: number;
let grandchild: number;

beforeAll(async () => {
  const folder = tempFolder('procmon-children-');
  const shell = trackChild(spawn('sh', ['-c', SCRIPT, 'sh', folder], { stdio: 'pipe' }));
  top = shell.pid as number;
  [sleeper, subShell, grandchild] = (await firstLine(shell)).split(' ').map(Number) as [
    number,
    number,
    number,
  ];
});

const pids = (list: Process[]) => list.map((p) => p.pid);
const shape = (nodes: ProcessNode[]): unknown[] =>
  nodes.map((node) => [node.process.pid, shape(node.children)]);

describe.each(['sync', 'async'] as const)('(%s)', (style) => {
  const open = (pid: number) => Process.open(pid);
  const children = (p: Process) => (style === 'sync' ? p.children() : p.childrenAsync());
  const descendants = (p: Process) => (style === 'sync' ? p.descendants() : p.descendantsAsync());

  it('children: the sleep and the sub-shell, in pid order, each with its start time', async () => {
    const found = await children(open(top));
    expect(pids(found)).toEqual([sleeper, subShell].sort((x, y) => x - y));
    for (const child of found) expect(child.startTime).toBe(Process.open(child.pid).startTime);
  });

  it('descendants: the whole tree, the grandchild under the sub-shell', async () => {
    const expected = [
      [sleeper, []],
      [subShell, [[grandchild, []]]],
    ].sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(shape(await descendants(open(top)))).toEqual(expected);
  });

  it('a process without children: none', async () => {
    expect(await children(open(grandchild))).toEqual([]);
    expect(await descendants(open(grandchild))).toEqual([]);
  });
});

/** A stat with only the fields the walk looks at. */
const stat = (pid: number, ppid: number, startTime: number) => ({ pid, ppid, startTime }) as Stat;

describe('the walk over stats', () => {
  it('a process that started before its parent is no child of it (its pid was reused)', () => {
    const parent = stat(10, 1, 500);
    const stats = [stat(11, 10, 400), stat(12, 10, 500), stat(13, 10, 900), stat(14, 9, 900)];
    expect(childrenAmong(parent, stats).map((s) => s.pid)).toEqual([12, 13]);
  });

  it('a ppid cycle (a forged snapshot) ends: each process once', () => {
    const root = stat(1, 0, 0);
    const stats = [root, stat(2, 1, 5), stat(3, 2, 5), stat(2, 3, 5)];
    const nodes = subtreeAmong(root, stats);
    const seen: number[] = [];
    const walk = (list: typeof nodes) => {
      for (const node of list) {
        seen.push(node.stat.pid);
        walk(node.children);
      }
    };
    walk(nodes);
    expect(seen).toEqual([2, 3]);
  });

  it('a chain of 100000 parents is walked whole, without overflowing the stack', () => {
    // It overflowed at a few thousand (`procmon tree 1 --children` of a 3000-deep chain).
    const depth = 100_000;
    const stats = Array.from({ length: depth }, (_, i) => stat(i + 1, i, 5));
    let nodes = subtreeAmong(stat(0, 0, 0), stats);
    const chain: number[] = [];
    while (nodes.length > 0) {
      expect(nodes).toHaveLength(1);
      chain.push((nodes[0] as (typeof nodes)[number]).stat.pid);
      nodes = (nodes[0] as (typeof nodes)[number]).children;
    }
    expect(chain).toEqual(stats.map((s) => s.pid));
  });

  it('the process itself is never its own child (pid 0 and kernel threads list ppid 0)', () => {
    const idle = stat(0, 0, 0);
    expect(childrenAmong(idle, [idle, stat(1, 0, 1), stat(2, 0, 1)]).map((s) => s.pid)).toEqual([
      1, 2,
    ]);
  });
});

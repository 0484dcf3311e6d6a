// The walk's identity check, replayed at an exact point on a fixture tree (pid 100 holds
// socket:[4242] at fd 3 and socket:[4343] at fd 5): a pid that changes hands during its fd/
// listing is read again, and the listing of the process that left is never reported under any
// start time; a pid that changes hands at every reading is dropped. Plus the link parser.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Backend, nativeBackend, nodeBackend, ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  copyFixture,
  rewriteStartTime,
  type Style,
  statOf,
  styles,
  twin,
  watchedBackend,
} from '../test/helpers.js';
import { SocketHolderIndex } from './holder-index.js';
import { socketInodeOf, walkSockets, walkSocketsAsync } from './socket-holders.js';

afterAll(cleanup);

/** A copy of the fixture tree with pid 100 alone, read through a backend that sees each stat. */
function treeOf100(afterStat: (root: string, reading: number) => void): ProcFS {
  const { root } = copyFixture();
  for (const name of readdirSync(root)) {
    if (/^[0-9]+$/.test(name) && name !== '100') rmSync(join(root, name), { recursive: true });
  }
  let readings = 0;
  return new ProcFS({
    root,
    backend: watchedBackend((pid, name) => {
      if (pid !== 100 || name !== 'stat') return undefined;
      afterStat(root, ++readings);
      // The read gives what the tree holds now (the change happened just before it ended).
      return new Uint8Array(readFileSync(join(root, '100', 'stat')));
    }),
  });
}

const startTimeIn = (root: string): number =>
  Number(
    readFileSync(join(root, '100', 'stat'), 'latin1')
      .split(') ')[1]
      ?.split(' ')[19],
  );

describe.each(styles)('the walk (%s)', (style) => {
  const walk = (procfs: ProcFS) =>
    twin(
      style,
      () => walkSockets({ procfs }),
      () => walkSocketsAsync({ procfs }),
    );

  it('reads a pid again when it changed hands during its listing: only the new process', async () => {
    let reused = 0;
    let root = '';
    const procfs = treeOf100((at, reading) => {
      root = at;
      // Reading 2 is the stat after the first listing: the pid now names another process.
      if (reading !== 2) return;
      reused = startTimeIn(at) + 777;
      rewriteStartTime(at, 100, reused);
      rmSync(join(at, '100', 'fd', '3'));
      symlinkSync('socket:[9999]', join(at, '100', 'fd', '8'));
    });
    const found = await walk(procfs);
    expect(startTimeIn(root)).toBe(reused);
    expect(found.unreadable).toEqual([]);
    expect(found.processes.map((p) => [p.pid, p.startTime, p.sockets])).toEqual([
      [
        100,
        reused,
        [
          { fd: 5, inode: 4343 },
          { fd: 8, inode: 9999 },
        ],
      ],
    ]);
  });

  it('drops a pid that changed hands during each of its readings', async () => {
    const procfs = treeOf100((root, reading) => {
      if (reading % 2 === 0) rewriteStartTime(root, 100, startTimeIn(root) + 1);
    });
    expect(await walk(procfs)).toEqual({ processes: [], unreadable: [] });
  });
});

describe.each([
  ['node', nodeBackend],
  ['native', nativeBackend()],
] as const)('a stat that is no stat, in a fixture tree (%s backend)', (_, backend) => {
  // One broken process must not stop the walk of the others (connections() of the whole
  // machine): its identity cannot be read, so it is unreadable, never a holder.
  it.skipIf(backend === undefined).each([
    ['garbage', (path: string) => writeFileSync(path, 'garbage')],
    ['empty', (path: string) => writeFileSync(path, '')],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
  ])('%s: the walk goes on, and lists it as unreadable', async (_kind, write) => {
    const { root } = copyFixture();
    for (const name of readdirSync(root)) {
      if (/^[0-9]+$/.test(name) && name !== '100' && name !== '101') {
        rmSync(join(root, name), { recursive: true });
      }
    }
    // 101 gets descriptors of its own: the walk must still read it.
    mkdirSync(join(root, '101', 'fd'), { recursive: true });
    symlinkSync('socket:[5151]', join(root, '101', 'fd', '4'));
    rmSync(join(root, '100', 'stat'));
    write(join(root, '100', 'stat'));
    const procfs = new ProcFS({ root, backend: backend as Backend });
    const sync = walkSockets({ procfs });
    expect(sync.unreadable).toEqual([100]);
    expect(sync.processes.map((p) => [p.pid, p.sockets])).toEqual([
      [101, [{ fd: 4, inode: 5151 }]],
    ]);
    expect(await walkSocketsAsync({ procfs })).toEqual(sync);
  });
});

describe('socketInodeOf', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it.each([
    ['socket:[1]', 1],
    ['socket:[4026531993]', 4026531993],
  ])('reads %s', (text, inode) => {
    expect(socketInodeOf(bytes(text))).toBe(inode);
  });
  it.each([
    'socket:[]',
    'socket:[12',
    'socket:[1a]',
    'socket:[-1]',
    'pipe:[12]',
    'anon_inode:[eventfd]',
    '/tmp/socket:[12]',
    'socket:[99999999999999999999]',
    '',
  ])('refuses %s', (text) => {
    expect(socketInodeOf(bytes(text))).toBeUndefined();
  });
});

describe('walk options', () => {
  it('refuses a pid or a concurrency that is not one, before any read', () => {
    expect(() => walkSockets({ pids: [0] })).toThrow(/pids must be positive integers/);
    expect(() => walkSockets({ pids: [1.5] })).toThrow(/pids must be positive integers/);
    expect(() => walkSockets({ concurrency: 0 })).toThrow(/concurrency must be a positive/);
  });

  it('reads only the pids asked for: this process, as plain fs sees it', () => {
    const found = walkSockets({ pids: [process.pid] });
    expect(found.processes.map((p) => [p.pid, p.startTime])).toEqual([
      [process.pid, statOf(process.pid).startTime],
    ]);
  });
});

describe.each([
  ['node', nodeBackend],
  ['native', nativeBackend()],
] as const)('sync and async agree on the fixture tree (%s backend)', (_, backend) => {
  // The tree's pid 100 holds socket:[4242] at fd 3 and socket:[4343] at fd 5 (proc-links.json);
  // its other pids have no fd/ folder: unreadable, never taken for empty, except the zombies
  // (state Z: gone, as a zombie's fd/ is).
  const { root } = copyFixture();
  const owner = statSync(join(root, '100')).uid;
  const startTime = startTimeIn(root);
  const comm = readFileSync(join(root, '100', 'comm'), 'latin1').trim();
  const holder = (fd: number) => ({ pid: 100, startTime, fd, uid: owner, comm });
  const unreadable = readdirSync(root)
    .filter((name) => /^[0-9]+$/.test(name) && !existsSync(join(root, name, 'fd')))
    .filter((name) => !readFileSync(join(root, name, 'stat'), 'latin1').includes(') Z '))
    .map(Number)
    .sort((a, b) => a - b);
  const cases: [string, (index: SocketHolderIndex, style: Style) => Promise<unknown>, unknown][] = [
    [
      'holders of 4242',
      (index, style) =>
        twin(
          style,
          () => index.holders(4242),
          () => index.holdersAsync(4242),
        ),
      { inode: 4242, holders: [holder(3)], searched: 'all', unreadable },
    ],
    [
      'holders of 4343 by its uid',
      (index, style) =>
        twin(
          style,
          () => index.holders(4343, { uid: owner }),
          () => index.holdersAsync(4343, { uid: owner }),
        ),
      { inode: 4343, holders: [holder(5)], searched: 'uid', unreadable },
    ],
    [
      'holders of an inode nobody holds',
      (index, style) =>
        twin(
          style,
          () => index.holders(5),
          () => index.holdersAsync(5),
        ),
      { inode: 5, holders: [], searched: 'all', unreadable, reason: 'not-permitted' },
    ],
    [
      'holdersOf',
      (index, style) =>
        twin(
          style,
          () => index.holdersOf([4242, 4343, 5]),
          () => index.holdersOfAsync([4242, 4343, 5]),
        ),
      new Map([
        [4242, [holder(3)]],
        [4343, [holder(5)]],
        [5, []],
      ]),
    ],
  ];
  it.skipIf(backend === undefined).each(cases)('%s', async (_name, run, expected) => {
    const procfs = new ProcFS({ root, backend: backend as Backend });
    const sync = await run(new SocketHolderIndex({ procfs }), 'sync');
    const async = await run(new SocketHolderIndex({ procfs }), 'async');
    expect(sync).toEqual(expected);
    expect(async).toEqual(sync);
  });
});

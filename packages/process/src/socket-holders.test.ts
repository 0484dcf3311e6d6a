// The walk's identity check, replayed at an exact point on a fixture tree (pid 100 holds
// socket:[4242] at fd 3 and socket:[4343] at fd 5): a pid that changes hands during its fd/
// listing is read again, and the listing of the process that left is never reported under any
// start time; a pid that changes hands at every reading is dropped. Plus the link parser.
import { readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  copyFixture,
  rewriteStartTime,
  statOf,
  styles,
  twin,
  watchedBackend,
} from '../test/helpers.js';
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

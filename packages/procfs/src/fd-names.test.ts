// Under a root that is not /proc (a fixture tree someone else wrote), fd/ may hold entries no
// kernel makes: names that are not numbers, numbers with leading zeros, numbers past the largest
// descriptor (an int). They name no descriptor, so neither the `sockets` op nor listFds reports
// them, on both backends: before, the native op turned 99999999999999999999 into
// 100000000000000020000 and node's into 1e20, and listFds gave fd NaN for `x9`.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, cleanup, modes, tempFolder } from '../test/helpers.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const STAT = '100 (app) S 1 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1000 0 0';

/** Process 100 with real descriptors 0 and 3, and entries that are no descriptor. */
function oddRoot(): string {
  const root = tempFolder('procfs-fd-names-');
  mkdirSync(join(root, '100', 'fd'), { recursive: true });
  writeFileSync(join(root, '100', 'stat'), `${STAT}\n`);
  const links: [string, string][] = [
    ['0', 'socket:[81]'],
    ['3', 'socket:[4242]'],
    ['x9', 'socket:[77]'],
    ['007', 'socket:[80]'],
    ['2147483648', 'socket:[79]'],
    ['99999999999999999999', 'socket:[78]'],
  ];
  for (const [name, target] of links) symlinkSync(target, join(root, '100', 'fd', name));
  return root;
}

describe.each(modes)('fd/ entries that name no descriptor (%s)', (mode) => {
  const procfs = new ProcFS({ root: oddRoot() });

  it('the sockets op keeps only the descriptors', async () => {
    const read = await call(mode, () =>
      mode === 'sync'
        ? procfs.run(procfs.flows.processSockets(100))
        : procfs.runAsync(procfs.flows.processSockets(100)),
    );
    expect(read.sockets.slice().sort((a, b) => a.fd - b.fd)).toEqual([
      { fd: 0, inode: 81 },
      { fd: 3, inode: 4242 },
    ]);
  });

  it('listFds lists only the descriptors', async () => {
    const entries = await call(mode, () =>
      mode === 'sync' ? procfs.listFds(100) : procfs.promises.listFds(100),
    );
    expect(entries.map((entry) => entry.fd).sort((a, b) => a - b)).toEqual([0, 3]);
  });
});

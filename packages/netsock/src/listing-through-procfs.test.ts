// socketsOf and socketsOfAsync list a process's descriptors through @procmon/procfs (its `links`
// op), never through netsock's own addon: a Backend wrapped around procfs's default one sees
// every listing, and what it answers is what the resolver gets.
import { type Backend, type Op, ProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { errorOf } from '../../../test-support/errors.js';
import { liveHolder, realAddon, resolverWithAddon } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { listSocketDescriptors, type SocketDescriptor } from './descriptors.js';
import { SocketResolver } from './resolver.js';

const netlink = netsockBackend().name === 'netlink';
const holder = liveHolder();

/** What a wrapping Backend saw: each `links` op, with the runner that asked for it. */
interface SeenLinks {
  path: string;
  style: 'sync' | 'async';
  /** The tcp and unix dump requests sent when the op was issued, and when its outcome came. */
  dumpsAtStart: number;
  dumpsAtEnd: number;
}

/**
 * A ProcFS over procfs's default backend, recording its `links` ops; `dumps()` tells how many
 * dump requests the resolver has sent so far; `answer` replaces a links op's outcome.
 */
function watchedProcFS(
  dumps: () => number,
  answer?: (op: Op) => { ok: false; error: unknown } | undefined,
) {
  const inner = new ProcFS().backend;
  const seen: SeenLinks[] = [];
  const backend: Backend = {
    name: `watched ${inner.name}`,
    perform(op, root) {
      if (op.kind !== 'links') return inner.perform(op, root);
      const start = dumps();
      const outcome = answer?.(op) ?? inner.perform(op, root);
      seen.push({ path: op.path, style: 'sync', dumpsAtStart: start, dumpsAtEnd: dumps() });
      return outcome;
    },
    async performAsync(op, root) {
      if (op.kind !== 'links') return inner.performAsync(op, root);
      const start = dumps();
      const outcome = answer?.(op) ?? (await inner.performAsync(op, root));
      seen.push({ path: op.path, style: 'async', dumpsAtStart: start, dumpsAtEnd: dumps() });
      return outcome;
    },
  };
  return { procfs: new ProcFS({ backend }), seen };
}

/** A netlink resolver over `procfs` counting its dump requests (NLM_F_DUMP set). */
function countingResolver(answer?: (op: Op) => { ok: false; error: unknown } | undefined) {
  let dumps = 0;
  const watched = watchedProcFS(() => dumps, answer);
  const real = realAddon();
  const resolver = resolverWithAddon(
    {
      send: (fd: number, bytes: Uint8Array) => {
        if (((bytes[7] as number) & 0x03) === 0x03) dumps++;
        return real.send(fd, bytes);
      },
    },
    { procfs: watched.procfs },
  );
  return { resolver, seen: watched.seen };
}

/** The sequential path: list the descriptors, then resolve their inodes. */
function sequential(pid: number): SocketDescriptor[] {
  const resolver = new SocketResolver({ backend: 'netlink' });
  const descriptors = listSocketDescriptors(pid);
  const found = resolver.resolve(
    descriptors.map((d) => d.inode),
    { pid },
  );
  resolver.close();
  return descriptors.map(({ fd, inode }) => {
    const socket = found.get(inode);
    return socket === undefined ? { fd, inode } : { fd, inode, socket };
  });
}

describe.skipIf(!netlink)('the descriptor listing goes through procfs', () => {
  test('the addon has no listing of its own', () => {
    expect(Object.keys(realAddon()).sort()).toEqual(
      [
        'close',
        'exchangeAsync',
        'open',
        'portId',
        'recv',
        'send',
        // the multicast reader (native/multicast.c)
        'subscribe',
        'multicastSend',
        'multicastPortId',
        'unsubscribe',
        'refSubscription',
      ].sort(),
    );
  });

  test('socketsOf: one sync links op of <pid>/fd, the sequential result', () => {
    const { resolver, seen } = countingResolver();
    const expected = sequential(holder.pid);
    expect(expected.filter((d) => d.socket).length).toBe(Object.keys(holder.sockets).length + 3);
    expect(resolver.socketsOf(holder.pid)).toEqual(expected);
    expect(seen.map(({ path, style }) => ({ path, style }))).toEqual([
      { path: `${holder.pid}/fd`, style: 'sync' },
    ]);
    // Listed before anything is dumped.
    expect(seen[0]?.dumpsAtStart).toBe(0);
    resolver.close();
  });

  test('socketsOfAsync: one async links op, queued before the tcp and unix dumps, taken after them', async () => {
    const { resolver, seen } = countingResolver();
    const expected = sequential(holder.pid);
    expect(await resolver.socketsOfAsync(holder.pid)).toEqual(expected);
    expect(seen.map(({ path, style }) => ({ path, style }))).toEqual([
      { path: `${holder.pid}/fd`, style: 'async' },
    ]);
    expect(seen[0]?.dumpsAtStart).toBe(0);
    expect(seen[0]?.dumpsAtEnd).toBe(2);
    resolver.close();
  });

  test('a listing the backend refuses (EACCES): PermissionDeniedError from both, before any resolve', async () => {
    const refused = Object.assign(new Error('EACCES: permission denied'), {
      code: 'EACCES',
      errno: -13,
    });
    const { resolver, seen } = countingResolver((op) =>
      op.kind === 'links' ? { ok: false, error: refused } : undefined,
    );
    const path = `/proc/${holder.pid}/fd`;
    expect(await errorOf(() => resolver.socketsOf(holder.pid))).toMatchObject({
      name: 'PermissionDeniedError',
      pid: holder.pid,
      path,
    });
    expect(await errorOf(() => resolver.socketsOfAsync(holder.pid))).toMatchObject({
      name: 'PermissionDeniedError',
      pid: holder.pid,
      path,
    });
    expect(seen.map((s) => s.style)).toEqual(['sync', 'async']);
    resolver.close();
  });
});

describe('the targets a listing gives', () => {
  /** A ProcFS whose `links` op answers `targets` (latin1, one per descriptor 3, 4, ...). */
  function listing(targets: string[]): ProcFS {
    const inner = new ProcFS().backend;
    const answer = () => ({
      ok: true as const,
      value: { names: targets.map((_, i) => String(i + 3)), targets, vanished: false },
    });
    return new ProcFS({
      backend: {
        name: 'fixed links',
        perform: (op, root) => (op.kind === 'links' ? answer() : inner.perform(op, root)),
        performAsync: async (op, root) =>
          op.kind === 'links' ? answer() : inner.performAsync(op, root),
      },
    });
  }

  test('only socket:[N] targets are kept, with N as the kernel wrote it', () => {
    const procfs = listing([
      'socket:[21171515]',
      '/tmp/socket:[5]',
      'pipe:[7]',
      'socket:[0012]',
      'anon_inode:[eventfd]',
      'socket:[9007199254740991]',
      '/dev/null',
    ]);
    expect(listSocketDescriptors(process.pid, { procfs })).toEqual([
      { fd: 3, inode: 21171515 },
      { fd: 6, inode: 12 },
      { fd: 8, inode: 9007199254740991 },
    ]);
  });

  test('a malformed socket target: the ParseError naming it, sync and async', async () => {
    const procfs = listing(['socket:[1]', 'socket:[12a]']);
    const expected = {
      name: 'ParseError',
      kind: 'fd-target',
      excerpt: 'socket:[12a]',
    };
    expect(await errorOf(() => listSocketDescriptors(process.pid, { procfs }))).toMatchObject(
      expected,
    );
    const resolver = new SocketResolver({ procfs, backend: 'procfs' });
    expect(await errorOf(() => resolver.socketsOfAsync(process.pid))).toMatchObject(expected);
    resolver.close();
  });
});

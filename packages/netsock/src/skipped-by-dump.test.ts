// A dump (and a /proc/net file) is no snapshot: the kernel resumes each batch at a position in a
// hash bucket, so a socket that exists throughout is skipped when another one before it in its
// bucket closes between two batches. resolve(), lookup() and socketsOf() look again for the
// inodes one pass did not find. Here the kernel's skip is replayed exactly: a reply with one
// socket's message cut out. (test/churn-check.mjs causes it for real, with processes that open
// and close sockets: too costly in CPU to run beside the other tests.)
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { firstLine, trackChild } from '../../../test-support/processes.js';
import { liveHolder, PYTHON, realAddon, resolverWithAddon, withNetFiles } from '../test/helpers.js';
import { recordsOf } from '../test/replay.js';
import type { NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';
import type { SocketEntry } from './types.js';

const netlink = netsockBackend().name === 'netlink';

const holder = liveHolder();

const NLM_F_MULTI = 0x2;
const NLMSG_HDRLEN = 16;
// Where the inode is in a reply message: unix_diag_msg has it after family, type, state, pad;
// inet_diag_msg after family, state, timer, retrans (4 bytes), the 48-byte inet_diag_sockid and
// expires, rqueue, wqueue, uid.
const UNIX_INODE_AT = NLMSG_HDRLEN + 4;
const INET_INODE_AT = NLMSG_HDRLEN + 4 + 48 + 16;

/**
 * A resolver whose kernel skips `inode` in `times` dumps: each reply datagram of a dump (a
 * NLM_F_MULTI message) loses the message of that socket, as when the kernel resumes past it.
 * An exact lookup's reply (no NLM_F_MULTI) is left whole. `skipped()` counts the cuts made.
 */
function skippingResolver(inode: number, inodeAt: number, times: number) {
  return skippingResolverOf(new Map([[inode, times]]), inodeAt);
}

/**
 * The same for several sockets: each inode with the number of dumps that skip it. The messages
 * are cut from each datagram as it is received, on this thread (recv) or off it (exchangeAsync).
 */
function skippingResolverOf(skips: Map<number, number>, inodeAt: number) {
  const real = realAddon();
  const left = new Map(skips);
  let cuts = 0;
  /** Removes the skipped messages from buffer[0, length): the length left. */
  const cut = (buffer: Uint8Array, received: number): number => {
    let length = received;
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    for (let at = 0; at + NLMSG_HDRLEN <= length; ) {
      const size = view.getUint32(at, true);
      const flags = view.getUint16(at + 6, true);
      const aligned = (size + 3) & ~3;
      const inode =
        (flags & NLM_F_MULTI) !== 0 && size >= inodeAt + 4 ? view.getUint32(at + inodeAt, true) : 0;
      const times = left.get(inode) ?? 0;
      if (times <= 0) {
        at += aligned;
        continue;
      }
      left.set(inode, times - 1);
      buffer.copyWithin(at, at + aligned, length);
      length -= aligned;
      cuts++;
    }
    return length;
  };
  const exchange = real.exchangeAsync as NonNullable<NetsockAddon['exchangeAsync']>;
  const resolver = resolverWithAddon({
    recv: (fd, buffer) => cut(buffer, real.recv(fd, buffer)),
    exchangeAsync: async (fd, request, seq, portId, datagramBytes) => {
      const records = new DataView(await exchange(fd, request, seq, portId, datagramBytes));
      const datagrams: Uint8Array[] = [];
      for (let at = 0; at < records.byteLength; ) {
        const length = records.getUint32(at, true);
        const datagram = new Uint8Array(records.buffer, at + 4, length).slice();
        datagrams.push(datagram.subarray(0, cut(datagram, length)));
        at += (4 + length + 3) & ~3;
      }
      return recordsOf(datagrams, datagramBytes);
    },
  });
  return { resolver, skipped: () => cuts };
}

// 40 unix socket pairs (with the 3 stdio sockets Node gives it: 83 unix sockets).
const PAIRS_HOLDER = `import socket, sys
keep = [socket.socketpair() for _ in range(40)]
print('ready', flush=True)
sys.stdin.read()`;

/** The socket inodes behind a process's descriptors. */
function socketInodes(pid: number): number[] {
  const inodes: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (match) inodes.push(Number(match[1]));
  }
  return inodes;
}

/** The holder's socket inodes, and what one pass of resolve() finds for them undisturbed. */
function holderSockets() {
  const inodes = Object.values(holder.sockets).map((s) => s.inode);
  const resolver = new SocketResolver({ backend: 'netlink' });
  const expected = resolver.resolve(inodes, { pid: holder.pid });
  resolver.close();
  expect(expected.size).toBe(inodes.length);
  return { inodes, expected };
}

describe.skipIf(!netlink)('a socket the kernel skips in a dump', () => {
  test('unix, once: resolve finds it by its inode, the same entry', () => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets['unix-dgram-pair-b']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, UNIX_INODE_AT, 1);
    expect(resolver.resolve(inodes, { pid: holder.pid })).toEqual(expected);
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test.each([
    ['unix', 'unix-dgram-pair-b', UNIX_INODE_AT],
    ['tcp', 'tcp4-client', INET_INODE_AT],
  ])('%s, once, with exchanges off the thread: resolveAsync finds it', async (_, name, at) => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets[name]?.inode as number;
    const { resolver, skipped } = skippingResolver(target, at, 1);
    expect(await resolver.resolveAsync(inodes, { pid: holder.pid })).toEqual(expected);
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test('unix, in every dump: still found (the exact lookup is no dump)', () => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets['unix-stream-server']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, UNIX_INODE_AT, Infinity);
    expect(resolver.resolve(inodes, { pid: holder.pid })).toEqual(expected);
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test('tcp, once: the second dump finds it', () => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets['tcp4-client']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, INET_INODE_AT, 1);
    expect(resolver.resolve(inodes, { pid: holder.pid })).toEqual(expected);
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test('tcp, in two dumps in a row: missing, the one loss a second look cannot undo', () => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets['tcp6-server']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, INET_INODE_AT, 2);
    const found = resolver.resolve(inodes, { pid: holder.pid });
    expect(skipped()).toBe(2);
    expect(found.has(target)).toBe(false);
    expect(found.size).toBe(expected.size - 1);
    resolver.close();
  });

  test('unix, in every dump, among 80 the first dump skipped: the few left are asked by inode', async () => {
    // More than 32 missing: every table is read again, then the few still missing asked by inode.
    const child = trackChild(
      spawn(PYTHON, ['-c', PAIRS_HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    await firstLine(child);
    const pid = child.pid as number;
    const inodes = socketInodes(pid);
    const reference = new SocketResolver({ backend: 'netlink' });
    const expected = reference.resolve(inodes, { pid });
    reference.close();
    expect(expected.size).toBe(inodes.length);
    const target = inodes[0] as number;
    const skips = new Map(inodes.map((inode) => [inode, inode === target ? Infinity : 1]));
    const { resolver, skipped } = skippingResolverOf(skips, UNIX_INODE_AT);
    expect(resolver.resolve(inodes, { pid })).toEqual(expected);
    // Every socket cut from the first dump, and the target from the second too.
    expect(skipped()).toBe(inodes.length + 1);
    resolver.close();
    child.kill('SIGKILL');
  });

  test('udp, once: found by lookup() as by resolve()', () => {
    const { expected } = holderSockets();
    const target = holder.sockets['udp4-connected']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, INET_INODE_AT, 1);
    expect(resolver.lookup(target, { pid: holder.pid })).toEqual(expected.get(target));
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test('socketsOf and socketsOfAsync: a unix socket skipped in every dump, a udp one once: both there', async () => {
    const reference = new SocketResolver({ backend: 'netlink' });
    const wanted = reference.socketsOf(holder.pid);
    reference.close();
    const unix = holder.sockets['unix-seqpacket-client']?.inode as number;
    // udp: not among the tables dumped while the descriptors are listed (tcp, unix).
    const udp = holder.sockets['udp4-connected']?.inode as number;
    for (const style of ['sync', 'async'] as const) {
      const skipUnix = skippingResolver(unix, UNIX_INODE_AT, Infinity);
      const skipUdp = skippingResolver(udp, INET_INODE_AT, 1);
      for (const { resolver, skipped } of [skipUnix, skipUdp]) {
        const result =
          style === 'sync'
            ? resolver.socketsOf(holder.pid)
            : await resolver.socketsOfAsync(holder.pid);
        expect(result).toEqual(wanted);
        expect(skipped()).toBe(1);
        resolver.close();
      }
    }
  });
});

describe('a socket the kernel skips in /proc/net/unix (the procfs backend)', () => {
  /** A ProcFS whose first read of net/unix lacks the row of `inode`. */
  function skippingProcFS(inode: number) {
    const procfs = new ProcFS();
    let cuts = 0;
    const cut = (bytes: Uint8Array): Uint8Array => {
      if (cuts > 0) return bytes;
      const lines = new TextDecoder().decode(bytes).split('\n');
      // A row's inode is its 7th column.
      const kept = lines.filter((line) => line.trim().split(/\s+/)[6] !== String(inode));
      if (kept.length === lines.length) return bytes;
      cuts++;
      return new TextEncoder().encode(kept.join('\n'));
    };
    withNetFiles(procfs, { change: (name, bytes) => (name === 'unix' ? cut(bytes) : bytes) });
    return { procfs, skipped: () => cuts };
  }

  test('resolve and resolveAsync read the tables again for it', async () => {
    const inodes = Object.values(holder.sockets).map((s) => s.inode);
    const expected = new SocketResolver({ backend: 'procfs' }).resolve(inodes, { pid: holder.pid });
    expect(expected.size).toBe(inodes.length);
    const target = holder.sockets['unix-dgram-bound']?.inode as number;
    for (const style of ['sync', 'async'] as const) {
      const { procfs, skipped } = skippingProcFS(target);
      const resolver = new SocketResolver({ backend: 'procfs', procfs });
      const found =
        style === 'sync'
          ? resolver.resolve(inodes, { pid: holder.pid })
          : await resolver.resolveAsync(inodes, { pid: holder.pid });
      // Without `unverified`: whether a row is proven depends on the rows around it, and the cut
      // row was one of them in the first read.
      expect(withoutProof(found)).toEqual(withoutProof(expected));
      expect(skipped()).toBe(1);
    }
    // Three reads of every /proc/net table: seconds where TIME_WAIT sockets number in the tens of thousands.
  }, 60_000);
});

/** The entries without `unverified`, which depends on the neighbouring rows of /proc/net/unix. */
function withoutProof(map: Map<number, SocketEntry>): Map<number, Omit<SocketEntry, 'unverified'>> {
  return new Map(
    [...map].map(([inode, entry]) => {
      const { unverified: _, ...rest } = entry;
      return [inode, rest];
    }),
  );
}

/**
 * A ProcFS whose reads of /proc/<pid>/net files go through `change(name, bytes)` (sync and
 * async), which may return other bytes or throw.
 */
function procfsWith(change: (name: string, bytes: Uint8Array) => Uint8Array): ProcFS {
  return withNetFiles(new ProcFS(), { change });
}

describe.skipIf(!netlink)('a kernel without unix_diag: the unix table read from /proc', () => {
  /**
   * A netlink resolver whose unix requests the kernel refuses (ENOENT: the family byte is
   * rewritten to one without a diag handler), whose first read of /proc/<pid>/net/unix lacks
   * the row of `inode`.
   */
  function withoutUnixDiag(inode: number) {
    const real = realAddon();
    const send = (fd: number, bytes: Uint8Array) => {
      // SOCK_DIAG_BY_FAMILY (20) for AF_UNIX (1): ask for family 5 instead.
      if (bytes[4] !== 20 || bytes[16] !== 1) return real.send(fd, bytes);
      const copy = bytes.slice();
      copy[16] = 5;
      return real.send(fd, copy);
    };
    let cuts = 0;
    const procfs = procfsWith((name, bytes) => {
      if (name !== 'unix' || cuts > 0) return bytes;
      cuts++;
      const lines = new TextDecoder().decode(bytes).split('\n');
      return new TextEncoder().encode(
        lines.filter((line) => line.trim().split(/\s+/)[6] !== String(inode)).join('\n'),
      );
    });
    // The unix requests are made on this thread only: exchangeAsync would send them unchanged.
    const { exchangeAsync: _, ...sync } = real;
    const resolver = resolverWithAddon({}, { procfs }, { ...sync, send });
    return { resolver, skipped: () => cuts };
  }

  test('resolve: the second look reads /proc/<pid>/net/unix again (the exact lookup cannot tell)', () => {
    const { inodes, expected } = holderSockets();
    const target = holder.sockets['unix-stream-client']?.inode as number;
    const { resolver, skipped } = withoutUnixDiag(target);
    const found = resolver.resolve(inodes, { pid: holder.pid });
    expect(skipped()).toBe(1);
    // The unix entries as /proc/net/unix gives them (no uid, no peer), every one there.
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(found.get(target)).toMatchObject({ family: 'unix', inode: target, type: 'stream' });
    resolver.close();
  });

  test('lookup: a unix socket found in /proc/<pid>/net/unix', () => {
    const target = holder.sockets['unix-dgram-bound']?.inode as number;
    const { resolver } = withoutUnixDiag(0);
    expect(resolver.lookup(target, { pid: holder.pid })).toMatchObject({
      family: 'unix',
      inode: target,
      path: holder.sockets['unix-dgram-bound']?.path,
    });
    resolver.close();
  });
});

describe('a process that exits between the two looks', () => {
  /** A ProcFS whose table reads say the process is gone once /proc/<pid>/net/netlink was read. */
  function goneAfterFirstPass() {
    let secondLook = false;
    return procfsWith((name, bytes) => {
      if (name === 'netlink') secondLook = true;
      else if (secondLook && name !== 'packet') {
        throw new ProcessGoneError(`process ${holder.pid} is gone`, {
          pid: holder.pid,
          path: `/proc/${holder.pid}/net/${name}`,
          // Not ENOENT: a missing file of a live process reads as a table this kernel lacks.
          code: 'ESRCH',
        });
      }
      return bytes;
    });
  }

  const cases: ['procfs' | 'netlink', 'sync' | 'async'][] = [
    ['procfs', 'sync'],
    ['procfs', 'async'],
  ];
  // With netlink, the second look still reads /proc/<pid>/net/icmp (ping sockets have no diag).
  if (netlink) cases.push(['netlink', 'sync']);
  test.each(cases)(
    '%s backend, %s: what the first pass found, no error',
    async (backend, style) => {
      const inodes = Object.values(holder.sockets).map((s) => s.inode);
      const resolver = new SocketResolver({ backend, procfs: goneAfterFirstPass() });
      // One inode no table has, so that every table is read, and read again.
      const wanted = [...inodes, 2 ** 31 - 7];
      const found =
        style === 'sync'
          ? resolver.resolve(wanted, { pid: holder.pid })
          : await resolver.resolveAsync(wanted, { pid: holder.pid });
      expect([...found.keys()].sort()).toEqual([...inodes].sort());
      resolver.close();
    },
  );
});

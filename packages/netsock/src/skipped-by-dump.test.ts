// A dump (and a /proc/net file) is no snapshot: the kernel resumes each batch at a position in a
// hash bucket, so a socket that exists throughout is skipped when another one before it in its
// bucket closes between two batches. resolve(), lookup() and socketsOf() look again for the
// inodes one pass did not find. Here the kernel's skip is replayed exactly (a reply with one
// socket's message cut out), then caused for real by processes that open and close sockets.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { firstLine, trackChild } from '../../../test-support/processes.js';
import { cleanup, type Holder, PYTHON, startHolder } from '../test/helpers.js';
import { loadAddon, type NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';

const netlink = netsockBackend().name === 'netlink';

let holder: Holder;
beforeAll(async () => {
  holder = await startHolder();
});
afterAll(cleanup);

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
  const real = (loadAddon() as { addon: NetsockAddon }).addon;
  let cuts = 0;
  const recv = (fd: number, buffer: Uint8Array): number => {
    let length = real.recv(fd, buffer);
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    for (let at = 0; at + NLMSG_HDRLEN <= length; ) {
      const size = view.getUint32(at, true);
      const flags = view.getUint16(at + 6, true);
      const aligned = (size + 3) & ~3;
      const isIt =
        cuts < times &&
        (flags & NLM_F_MULTI) !== 0 &&
        size >= inodeAt + 4 &&
        view.getUint32(at + inodeAt, true) === inode;
      if (!isIt) {
        at += aligned;
        continue;
      }
      buffer.copyWithin(at, at + aligned, length);
      length -= aligned;
      cuts++;
    }
    return length;
  };
  const resolver = new SocketResolver({ backend: 'netlink' });
  Object.assign(resolver, { addon: { ...real, recv } });
  return { resolver, skipped: () => cuts };
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

  test('udp, once: found by lookup() as by resolve()', () => {
    const { expected } = holderSockets();
    const target = holder.sockets['udp4-connected']?.inode as number;
    const { resolver, skipped } = skippingResolver(target, INET_INODE_AT, 1);
    expect(resolver.lookup(target, { pid: holder.pid })).toEqual(expected.get(target));
    expect(skipped()).toBe(1);
    resolver.close();
  });

  test('socketsOf and socketsOfAsync: a unix and a tcp socket skipped once are both there', async () => {
    const reference = new SocketResolver({ backend: 'netlink' });
    const wanted = reference.socketsOf(holder.pid);
    reference.close();
    const unix = holder.sockets['unix-seqpacket-client']?.inode as number;
    const tcp = holder.sockets['tcp6-client']?.inode as number;
    for (const style of ['sync', 'async'] as const) {
      const skipUnix = skippingResolver(unix, UNIX_INODE_AT, 1);
      const skipTcp = skippingResolver(tcp, INET_INODE_AT, 1);
      for (const { resolver, skipped } of [skipUnix, skipTcp]) {
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
    const readNetFile = procfs.readNetFile.bind(procfs);
    const readNetFileAsync = procfs.promises.readNetFile.bind(procfs.promises);
    procfs.readNetFile = (name, pid, options) => {
      const bytes = readNetFile(name, pid, options);
      return name === 'unix' ? cut(bytes) : bytes;
    };
    procfs.promises.readNetFile = async (name, pid, options) => {
      const bytes = await readNetFileAsync(name, pid, options);
      return name === 'unix' ? cut(bytes) : bytes;
    };
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
      expect(found).toEqual(expected);
      expect(skipped()).toBe(1);
    }
  });
});

/**
 * A python3 holding `pairs` unix datagram socket pairs, and `churners` more that open and close
 * 50 pairs at a time for ever: the closes make the kernel's dumps skip sockets of the holder.
 */
async function startChurn(pairs: number, churners: number) {
  const hold = `import socket, sys\nkeep = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(${pairs})]\nprint('ready', flush=True)\nsys.stdin.read()`;
  const churn = `import socket\nwhile True:\n    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(50)]\n    for a, b in pairs: a.close(); b.close()`;
  const holderChild = trackChild(
    spawn(PYTHON, ['-c', hold], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  await firstLine(holderChild);
  const others = Array.from({ length: churners }, () =>
    trackChild(spawn(PYTHON, ['-c', churn], { stdio: 'ignore' })),
  );
  const pid = holderChild.pid as number;
  const inodes: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (match) inodes.push(Number(match[1]));
  }
  return {
    pid,
    inodes,
    stop() {
      for (const child of [holderChild, ...others]) child.kill('SIGKILL');
    },
  };
}

/** resolve() of every socket a churned holder has, `calls` times: the calls that lost some. */
async function lossesUnderChurn(backend: 'netlink' | 'procfs', calls: number): Promise<number[]> {
  const churn = await startChurn(300, 2);
  const resolver = new SocketResolver({ backend });
  const lost: number[] = [];
  try {
    // The 600 held, and the stdio Node gave it (unix socket pairs).
    expect(churn.inodes.length).toBeGreaterThanOrEqual(600);
    for (let call = 0; call < calls; call++) {
      const found = resolver.resolve(churn.inodes, { pid: churn.pid });
      if (found.size !== churn.inodes.length) lost.push(churn.inodes.length - found.size);
    }
  } finally {
    churn.stop();
    resolver.close();
  }
  return lost;
}

// Before the second look, about 1 call in 170 (netlink) and 1 in 25 (procfs) here lost a socket.
describe('while other processes close sockets, every socket of a holder of 600 is found', () => {
  test.skipIf(!netlink)(
    'netlink: 1500 calls in a row',
    async () => {
      expect(await lossesUnderChurn('netlink', 1500)).toEqual([]);
    },
    60_000,
  );

  test('procfs: 150 calls in a row', async () => {
    expect(await lossesUnderChurn('procfs', 150)).toEqual([]);
  }, 60_000);
});

// Socket inode → holders, live: python children hold TCP listeners (alone, shared with a forked
// child, passed to another process over a unix socket, in a network namespace of their own); the
// truth is each child's own report (pid, fd, inode) checked with fs.readlinkSync, and its start
// time read with plain fs. Every case runs sync and async, on the node and the native backend.
// A pid reused after indexing is replayed on a fixture tree.
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type Backend, nativeBackend, nodeBackend, ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  copyFixture,
  exited,
  rewriteStartTime,
  type Style,
  statOf,
  styles,
  twin,
} from '../test/helpers.js';
import { type Holder, startHolder } from '../test/socket-holder.js';
import { type ConnectionsOptions, connections, connectionsAsync } from './connections.js';
import { type HolderLookupOptions, SocketHolderIndex } from './holder-index.js';
import type { SocketHolder } from './socket-holders.js';

afterAll(cleanup);

const native = nativeBackend();
if (native === undefined && process.env.CI) throw new Error('the native backend must load in CI');
const backends: [string, Backend][] = [['node', nodeBackend]];
if (native !== undefined) backends.push(['native', native]);
const canUnshare =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/** The holder a process's descriptor is, read with plain fs; the fd must link to the inode. */
function truth(pid: number, fd: number, inode: number): SocketHolder {
  expect(readlinkSync(`/proc/${pid}/fd/${fd}`)).toBe(`socket:[${inode}]`);
  const stat = statOf(pid);
  return { pid, startTime: stat.startTime, fd, uid: statSync(`/proc/${pid}`).uid, comm: stat.comm };
}

/**
 * The pids whose descriptor links plain fs may not read (EACCES): as root too, a process whose
 * capabilities exceed ours (a container's init). What `unreadable` must list.
 */
function deniedPids(): number[] {
  const denied: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      for (const fd of readdirSync(`/proc/${name}/fd`)) readlinkSync(`/proc/${name}/fd/${fd}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') denied.push(Number(name));
    }
  }
  return denied.sort((a, b) => a - b);
}

/** A lookup that found nothing, with the reason its unreadable pids call for. */
const nothing = (inode: number, unreadable: number[]) => ({
  inode,
  holders: [],
  searched: 'all',
  unreadable,
  reason: unreadable.length > 0 ? 'not-permitted' : 'no-visible-holder',
});

async function stop(holder: Holder): Promise<void> {
  holder.child.stdin?.end();
  await exited(holder.child);
}

const lookup = (style: Style, index: SocketHolderIndex, inode: number, o?: HolderLookupOptions) =>
  twin(
    style,
    () => index.holders(inode, o),
    () => index.holdersAsync(inode, o),
  );

describe.each(backends)('socket holders on the %s backend', (_, backend) => {
  const procfs = new ProcFS({ backend });

  describe.each(styles)('%s', (style) => {
    it('finds a listener’s one holder: cold (every process, or its uid’s), then warm', async () => {
      const holder = await startHolder('listen');
      const { pid, fd, inode } = holder.report as { pid: number; fd: number; inode: number };
      const expected = [truth(pid, fd, inode)];
      const index = new SocketHolderIndex({ procfs });
      expect(await lookup(style, index, inode)).toEqual({
        inode,
        holders: expected,
        searched: 'all',
        unreadable: deniedPids(),
      });
      expect(await lookup(style, index, inode)).toMatchObject({
        holders: expected,
        searched: 'index',
      });
      const narrowed = new SocketHolderIndex({ procfs });
      const uid = statSync(`/proc/${pid}`).uid;
      expect(await lookup(style, narrowed, inode, { uid })).toMatchObject({
        holders: expected,
        searched: 'uid',
      });
      // The socket's uid given wrong (as a non-dumpable process's root-owned /proc/<pid> would
      // make it): that uid's processes hold nothing, so every other one is walked.
      const elsewhere = new SocketHolderIndex({ procfs });
      expect(await lookup(style, elsewhere, inode, { uid: 4_000_000 })).toMatchObject({
        holders: expected,
        searched: 'all',
      });
      // A new listener: the index knows the processes it walked, and stats only new pids.
      const later = await startHolder('listen');
      const next = later.report as { pid: number; fd: number; inode: number };
      expect(await lookup(style, narrowed, next.inode, { uid })).toMatchObject({
        holders: [truth(next.pid, next.fd, next.inode)],
        searched: 'uid',
      });
      await stop(later);
      await stop(holder);
    });

    it('lists the listener with its holder in connections()', async () => {
      const holder = await startHolder('listen');
      const { pid, fd, inode, port } = holder.report as Record<string, number>;
      const expected = [truth(pid as number, fd as number, inode as number)];
      const options: ConnectionsOptions = {
        procfs,
        tables: ['tcp'],
        filter: (socket) => socket.localPort === port,
      };
      const listed = await twin(
        style,
        () => connections(options),
        () => connectionsAsync(options),
      );
      expect(listed.map((c) => [c.socket.inode, c.socket.state, c.holders])).toEqual([
        [inode, 'LISTEN', expected],
      ]);
      await stop(holder);
    });

    it('lists a TIME_WAIT socket (inode 0) with no holder beside its listener', async () => {
      const holder = await startHolder('timewait');
      const { pid, fd, inode, port, clientPort } = holder.report as Record<string, number>;
      const expected = [truth(pid as number, fd as number, inode as number)];
      const options: ConnectionsOptions = {
        procfs,
        tables: ['tcp'],
        filter: (socket) => socket.localPort === clientPort && socket.remotePort === port,
      };
      const listed = await twin(
        style,
        () => connections(options),
        () => connectionsAsync(options),
      );
      expect(listed.map((c) => [c.socket.inode, c.socket.state, c.holders])).toEqual([
        [0, 'TIME_WAIT', []],
      ]);
      const index = new SocketHolderIndex({ procfs });
      expect((await lookup(style, index, inode as number)).holders).toEqual(expected);
      await stop(holder);
    });

    it('lists both the parent and its forked child', async () => {
      const holder = await startHolder('fork');
      const { pid, child, fd, inode } = holder.report as Record<string, number>;
      const expected = [truth(pid as number, fd as number, inode as number)];
      expected.push(truth(child as number, fd as number, inode as number));
      const index = new SocketHolderIndex({ procfs });
      expect((await lookup(style, index, inode as number)).holders).toEqual(expected);
      const both = await twin(
        style,
        () => index.holdersOf([inode as number]),
        () => index.holdersOfAsync([inode as number]),
      );
      expect(both).toEqual(new Map([[inode, expected]]));
      await stop(holder);
    });

    it('follows a socket passed over a unix socket (SCM_RIGHTS), then closed by the sender', async () => {
      const holder = await startHolder('pass');
      const { pid, child, fd, inode } = holder.report as Record<string, number>;
      const sender = truth(pid as number, fd as number, inode as number);
      const index = new SocketHolderIndex({ procfs });
      expect((await lookup(style, index, inode as number)).holders).toEqual([sender]);
      const { childFd } = (await holder.send('send')) as { childFd: number };
      const receiver = truth(child as number, childFd, inode as number);
      // A warm hit verifies what the index holds: the receiver got it after, and is missed.
      expect(await lookup(style, index, inode as number)).toMatchObject({
        holders: [sender],
        searched: 'index',
      });
      expect(await lookup(style, index, inode as number, { complete: true })).toMatchObject({
        holders: [sender, receiver],
        searched: 'all',
      });
      await holder.send('close');
      expect(() => readlinkSync(`/proc/${pid}/fd/${fd}`)).toThrow();
      // The sender's entry no longer verifies: only the receiver, from the index or a full walk.
      expect((await lookup(style, index, inode as number)).holders).toEqual([receiver]);
      const fresh = new SocketHolderIndex({ procfs });
      expect(await lookup(style, fresh, inode as number, { complete: true })).toMatchObject({
        holders: [receiver],
      });
      await stop(holder);
    });

    it('says no holder for the socket of a process that exited after it was indexed', async () => {
      const holder = await startHolder('listen');
      const { pid, fd, inode } = holder.report as Record<string, number>;
      const index = new SocketHolderIndex({ procfs });
      const uid = statSync(`/proc/${pid}`).uid;
      expect((await lookup(style, index, inode as number)).holders).toEqual([
        truth(pid as number, fd as number, inode as number),
      ]);
      await stop(holder);
      for (const options of [{}, { uid }]) {
        const found = await lookup(style, index, inode as number, options);
        expect(found).toEqual(nothing(inode as number, deniedPids()));
      }
    });

    it.skipIf(!canUnshare)('finds a holder in another network namespace', async () => {
      const holder = await startHolder('listen', ['unshare', '-n']);
      const { pid, fd, inode } = holder.report as Record<string, number>;
      expect(readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
      const index = new SocketHolderIndex({ procfs });
      expect((await lookup(style, index, inode as number)).holders).toEqual([
        truth(pid as number, fd as number, inode as number),
      ]);
      await stop(holder);
    });
  });
});

describe.each(styles)('a pid reused after it was indexed (fixture tree, %s)', (style) => {
  it('never answers with the new process as the old one, and indexes the new one as its own', async () => {
    const { root, procfs } = copyFixture();
    // Pid 100 alone: the tree's other pids have no fd/ folder (each would be `unreadable`).
    for (const name of readdirSync(root)) {
      if (/^[0-9]+$/.test(name) && name !== '100') rmSync(join(root, name), { recursive: true });
    }
    const index = new SocketHolderIndex({ procfs });
    const old = statOf100(root);
    const owner = statSync(join(root, '100')).uid;
    const holder = (startTime: number, fd: number) => ({
      pid: 100,
      startTime,
      fd,
      uid: owner,
      comm: old.comm,
    });
    expect((await lookup(style, index, 4242)).holders).toEqual([holder(old.startTime, 3)]);
    // Pid 100 now names another process: another start time, and fd 3 closed, fd 8 a new socket.
    rewriteStartTime(root, 100, old.startTime + 5000);
    rmSync(join(root, '100', 'fd', '3'));
    symlinkSync('socket:[9999]', join(root, '100', 'fd', '8'));
    expect(await lookup(style, index, 4242)).toEqual(nothing(4242, []));
    // The walk indexed the new process: a warm hit, under its own start time.
    expect(await lookup(style, index, 9999)).toEqual({
      inode: 9999,
      holders: [holder(old.startTime + 5000, 8)],
      searched: 'index',
      unreadable: [],
    });
    // And a reuse whose new process holds the same link at the same fd: its own start time.
    rewriteStartTime(root, 100, old.startTime + 9000);
    expect((await lookup(style, index, 4343)).holders).toEqual([holder(old.startTime + 9000, 5)]);
  });
});

describe('bad input', () => {
  const index = new SocketHolderIndex();
  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses the inode %s before any read', (inode) => {
    expect(() => index.holders(inode)).toThrow(/socket inode must be a positive integer/);
  });
  it('refuses a uid that is not one', async () => {
    expect(() => index.holders(1, { uid: -1 })).toThrow(/uid must be an integer/);
    await expect(index.holdersAsync(1, { uid: 1.5 })).rejects.toThrow(/uid must be an integer/);
  });
  it('connections() on another root needs a resolver', () => {
    const { procfs } = copyFixture();
    expect(() => connections({ procfs })).toThrow(/pass options.resolver/);
  });
});

function statOf100(root: string): { startTime: number; comm: string } {
  const procfs = new ProcFS({ root });
  const text = new TextDecoder().decode(procfs.readFile(100, 'stat'));
  const close = text.lastIndexOf(')');
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    startTime: Number(text.slice(close + 2).split(' ')[19]),
  };
}

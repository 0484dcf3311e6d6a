// SocketHolderIndex.follow and followConnectionIndex: python children hold TCP listeners (see
// test/socket-holder.py), a plain EventEmitter is the feed carrying their real pids, and every op
// of the index's ProcFS is counted: an event must forget a process with none.

import { EventEmitter } from 'node:events';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, countingProcFS, eventually, exited } from '../test/helpers.js';
import { type Holder, startHolder } from '../test/socket-holder.js';
import { connectionOwners, followConnectionIndex, sharedHolderIndex } from './connection-owners.js';
import type { FeedEvent } from './event-feed.js';
import { SocketHolderIndex } from './holder-index.js';

afterAll(cleanup);

type Event = FeedEvent & Record<string, unknown>;
const stamp = () => ({ timestampNs: process.hrtime.bigint(), source: 'connector' });
const exit = (pid: number, tgid = pid): Event => ({ type: 'exit', pid, tgid, code: 0, ...stamp() });
const exec = (pid: number): Event => ({ type: 'exec', pid, tgid: pid, ...stamp() });
const fork = (parent: number, child: number, childTgid = child): Event => ({
  type: 'fork',
  parentPid: parent,
  parentTgid: parent,
  childPid: child,
  childTgid,
  ...stamp(),
});

const commOf = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
const reportOf = (holder: Holder) => holder.report as { pid: number; fd: number; inode: number };

async function stop(holder: Holder): Promise<void> {
  holder.child.stdin?.end();
  await exited(holder.child);
}

/** Two listeners, both in a fresh index that follows a new feed. */
async function setup() {
  const { procfs, ops } = countingProcFS();
  const index = new SocketHolderIndex({ procfs });
  const [first, second] = await Promise.all([startHolder('exec'), startHolder('listen')]);
  for (const holder of [first, second]) {
    const { pid, inode } = reportOf(holder);
    expect(index.holders(inode).holders.map((h) => h.pid)).toEqual([pid]);
    expect(index.has(pid)).toBe(true);
  }
  const feed = new EventEmitter();
  const unfollow = index.follow(feed);
  return {
    ops,
    index,
    first: reportOf(first),
    second: reportOf(second),
    holders: { first, second },
    feed,
    unfollow,
  };
}

describe('SocketHolderIndex.follow', () => {
  it('forgets a holder that exec`d (its close-on-exec listener is gone), with no read', async () => {
    const { ops, index, first, second, holders, feed } = await setup();
    expect(readlinkSync(`/proc/${first.pid}/fd/${first.fd}`)).toBe(`socket:[${first.inode}]`);
    holders.first.child.stdin?.write('exec\n');
    await eventually(() => (commOf(first.pid) === 'sleep' ? true : undefined), 'python to exec');
    const before = ops();
    feed.emit('event', exec(first.pid));
    expect(ops()).toBe(before);
    expect(index.has(first.pid)).toBe(false);
    expect(index.has(second.pid)).toBe(true);
    // The listener closed with the exec: nobody holds it now, and the index does not say otherwise.
    const after = index.holders(first.inode);
    expect(after.holders).toEqual([]);
    expect(after.searched).toBe('all');
    // The other listener is still a warm hit.
    expect(index.holders(second.inode)).toMatchObject({
      holders: [{ pid: second.pid, fd: second.fd }],
      searched: 'index',
    });
  });

  it('forgets a holder at its exit, with no read, and keeps the others', async () => {
    const { ops, index, first, second, holders, feed } = await setup();
    await stop(holders.second);
    const before = ops();
    feed.emit('event', exit(second.pid));
    expect(ops()).toBe(before);
    expect([index.has(first.pid), index.has(second.pid)]).toEqual([true, false]);
    expect(index.size).toBeGreaterThan(0);
  });

  it('keeps a holder at a thread exit, a new thread, and events of other pids', async () => {
    const { ops, index, first, second, feed } = await setup();
    const before = ops();
    const size = index.size;
    for (const event of [
      exit(first.pid + 100_000, first.pid),
      fork(first.pid, first.pid + 100_000, first.pid),
      exec(4_000_001),
      exit(4_000_001),
      { type: 'comm', pid: first.pid, tgid: first.pid, comm: 'x' },
      { type: 'lost', reason: 'overrun' },
    ])
      feed.emit('event', event);
    expect(ops()).toBe(before);
    expect(index.size).toBe(size);
    expect([index.has(first.pid), index.has(second.pid)]).toEqual([true, true]);
  });

  it('forgets a process that forked, so the next lookup walks (and finds its children)', async () => {
    const { index, second, feed } = await setup();
    feed.emit('event', fork(second.pid, process.pid));
    expect(index.has(second.pid)).toBe(false);
    expect(index.holders(second.inode)).toMatchObject({
      holders: [{ pid: second.pid, fd: second.fd }],
      searched: 'all',
    });
    expect(index.has(second.pid)).toBe(true);
  });

  it('forgets every pid a resync found gone', async () => {
    const { ops, index, first, second, feed } = await setup();
    const before = ops();
    feed.emit('event', { type: 'resync', running: [], started: [], gone: [second.pid, 4_000_001] });
    expect(ops()).toBe(before);
    expect([index.has(first.pid), index.has(second.pid)]).toEqual([true, false]);
  });

  it('stops following once unfollowed', async () => {
    const { index, first, feed, unfollow } = await setup();
    unfollow();
    unfollow();
    expect(feed.listenerCount('event')).toBe(0);
    feed.emit('event', exit(first.pid));
    expect(index.has(first.pid)).toBe(true);
  });
});

describe('followConnectionIndex', () => {
  it('makes the index connectionOwners shares forget a holder on an event', async () => {
    const holder = await startHolder('listen');
    const { pid, fd } = reportOf(holder);
    const port = holder.report.port as number;
    const query = { protocol: 'tcp', localAddress: '127.0.0.1', localPort: port } as const;
    // Cold, then warm: the shared index keeps what the first call walked.
    expect(connectionOwners(query).searched).not.toBe('index');
    expect(connectionOwners(query)).toMatchObject({ holders: [{ pid, fd }], searched: 'index' });
    expect(sharedHolderIndex().has(pid)).toBe(true);
    const feed = new EventEmitter();
    const unfollow = followConnectionIndex(feed);
    // The event is the feed's word: the index forgets it, and the next lookup walks again.
    feed.emit('event', exec(pid));
    expect(sharedHolderIndex().has(pid)).toBe(false);
    const again = connectionOwners(query);
    expect(again.holders.map((h) => [h.pid, h.fd])).toEqual([[pid, fd]]);
    expect(again.searched).not.toBe('index');
    unfollow();
    expect(feed.listenerCount('event')).toBe(0);
    await stop(holder);
  });
});

// ProcessCache.follow: live children, a plain EventEmitter as the feed carrying their real pids.
// Every op the cache's ProcFS performs is counted: an event must drop an entry with none.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  countingProcFS,
  eventually,
  exited,
  startHold,
  trackChild,
} from '../test/helpers.js';
import type { FeedEvent, ProcessEventFeed } from './event-feed.js';
import { Process, ProcessCache } from './index.js';

afterAll(cleanupAll);

const commOf = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();

/** The events as ProcessEvents delivers them (the fields the cache reads, and some it does not). */
const exit = (pid: number, tgid = pid): FeedEvent & Record<string, unknown> => ({
  type: 'exit',
  pid,
  tgid,
  code: 0,
  timestampNs: process.hrtime.bigint(),
  source: 'connector',
});
const exec = (pid: number): FeedEvent & Record<string, unknown> => ({
  type: 'exec',
  pid,
  tgid: pid,
  timestampNs: process.hrtime.bigint(),
  source: 'connector',
});

async function setup() {
  const { procfs, ops } = countingProcFS();
  const cache = new ProcessCache({ procfs });
  const hold = compileC('hold');
  const [first, second] = await Promise.all([startHold(hold, []), startHold(hold, [])]);
  cache.add(Process.open(first.pid, { procfs }));
  cache.add(Process.open(second.pid, { procfs }));
  const feed = new EventEmitter();
  return { procfs, ops, cache, first, second, feed };
}

const cachedPids = (cache: ProcessCache) => [...cache].map((p) => p.pid).sort((a, b) => a - b);

describe('ProcessCache.follow', () => {
  it('drops a process at its exit, with no read, and keeps the others', async () => {
    const { ops, cache, first, second, feed } = await setup();
    cache.follow(feed);
    second.child.kill('SIGKILL');
    await exited(second.child);
    const before = ops();
    feed.emit('event', exit(second.pid));
    expect(ops()).toBe(before);
    expect(cachedPids(cache)).toEqual([first.pid]);
    expect(cache.peek(first.pid)?.pid).toBe(first.pid);
  });

  it('keeps a process at a thread exit, a fork, a comm change and events of other pids', async () => {
    const { ops, cache, first, second, feed } = await setup();
    cache.follow(feed);
    const before = ops();
    const others: (FeedEvent & Record<string, unknown>)[] = [
      exit(first.pid + 100_000, first.pid),
      { type: 'fork', parentPid: first.pid, parentTgid: first.pid, childPid: 7, childTgid: 7 },
      { type: 'comm', pid: first.pid, tgid: first.pid, comm: 'renamed' },
      { type: 'lost', reason: 'overrun' },
      exit(process.pid),
      exec(process.pid),
    ];
    for (const event of others) feed.emit('event', event);
    expect(ops()).toBe(before);
    expect(cachedPids(cache)).toEqual([first.pid, second.pid].sort((a, b) => a - b));
  });

  it('drops a process that exec`d and forgets its checksums; getOrOpen opens the new program', async () => {
    const { procfs, ops, cache, feed } = await setup();
    const child = trackChild(
      spawn('sh', ['-c', 'read line; exec sleep 600'], { stdio: ['pipe', 'ignore', 'inherit'] }),
    );
    const pid = child.pid as number;
    await eventually(() => (commOf(pid) === 'sh' ? true : undefined), 'sh to start');
    const shell = cache.getOrOpen(pid);
    expect(shell.computeChecksums(['sha256']).sha256).toMatch(/^[0-9a-f]{64}$/);
    cache.follow(feed);
    child.stdin?.write('go\n');
    await eventually(() => (commOf(pid) === 'sleep' ? true : undefined), 'sh to exec sleep');
    const before = ops();
    feed.emit('event', exec(pid));
    expect(ops()).toBe(before);
    expect(cache.peek(pid)).toBeUndefined();
    expect(shell.checksumsCount).toBe(0);
    const reopened = cache.getOrOpen(pid);
    expect(reopened).not.toBe(shell);
    expect({ pid: reopened.pid, startTime: reopened.startTime, comm: reopened.comm }).toEqual({
      pid,
      startTime: shell.startTime,
      comm: 'sleep',
    });
    expect(reopened.procfs).toBe(procfs);
  });

  it('drops every pid a resync found gone', async () => {
    const { ops, cache, first, second, feed } = await setup();
    cache.follow(feed);
    const before = ops();
    feed.emit('event', {
      type: 'resync',
      running: [],
      started: [],
      gone: [first.pid, 4_000_001],
    } satisfies FeedEvent & Record<string, unknown>);
    expect(ops()).toBe(before);
    expect(cachedPids(cache)).toEqual([second.pid]);
  });

  it('stops following once unfollowed (twice is harmless)', async () => {
    const { cache, first, second, feed } = await setup();
    const unfollow = cache.follow(feed);
    unfollow();
    unfollow();
    expect(feed.listenerCount('event')).toBe(0);
    feed.emit('event', exit(first.pid));
    expect(cachedPids(cache)).toEqual([first.pid, second.pid].sort((a, b) => a - b));
  });

  it('ignores events whose pids are not pids', async () => {
    const { cache, first, second, feed } = await setup();
    cache.follow(feed);
    const broken: FeedEvent[] = [
      { type: 'exit', pid: Number.NaN, tgid: Number.NaN },
      { type: 'exec', tgid: -first.pid },
      { type: 'exec', tgid: first.pid + 0.5 },
      { type: 'resync', gone: [0, -1, Number.POSITIVE_INFINITY] },
      { type: 'resync' },
    ];
    for (const event of broken) feed.emit('event', event);
    expect(cachedPids(cache)).toEqual([first.pid, second.pid].sort((a, b) => a - b));
  });

  it('takes any emitter with on/off for "event"', () => {
    // A test double with no EventEmitter behind it: the interface is structural.
    const listeners = new Set<(event: FeedEvent) => void>();
    const feed: ProcessEventFeed = {
      on: (_name, listener) => listeners.add(listener),
      off: (_name, listener) => listeners.delete(listener),
    };
    const cache = new ProcessCache();
    const me = Process.open(process.pid);
    cache.add(me);
    const unfollow = cache.follow(feed);
    expect(listeners.size).toBe(1);
    for (const listener of listeners) listener(exit(process.pid));
    expect(cache.size).toBe(0);
    unfollow();
    expect(listeners.size).toBe(0);
  });
});

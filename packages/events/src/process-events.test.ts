// ProcessEvents driven by a hand-made source: the bounded queue of a slow iterator (lost with
// the exact count dropped, then a resync, then the newer events), listeners that get every
// event, close and failure ending for-await loops, the choice of source and its fallback.
import { ProcFS } from '@procmon/procfs';
import { describe, expect, it, vi } from 'vitest';
import { fakeSource } from '../test/fake-source.js';
import { EventSourceError } from './errors.js';
import { POLLING_MISSES } from './polling-source.js';
import { ProcessEvents, RESYNC_SPACING_MS } from './process-events.js';
import type { ExecEvent, ProcessEvent } from './types.js';

const procfs = new ProcFS();
// pid_max is at most 2^22: these pids are never running.
const FAKE = 1 << 23;

function exec(tgid: number): ExecEvent {
  return {
    type: 'exec',
    pid: tgid,
    tgid,
    timestampNs: process.hrtime.bigint(),
    source: 'connector',
  };
}

function open(options: ConstructorParameters<typeof ProcessEvents>[0] = {}) {
  const fake = fakeSource();
  const events = new ProcessEvents({ source: 'connector', procfs, ...options }, fake.openers);
  return { fake, events };
}

describe('a slow iterator', () => {
  it('gets lost (queue-full, the exact count dropped), a resync, then the newer events', async () => {
    const { fake, events } = open({ highWaterMark: 4 });
    const heard: ProcessEvent[] = [];
    events.on('event', (event) => heard.push(event));
    const iterator = events[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) fake.sink().push(exec(FAKE + i));
    const taken: ProcessEvent[] = [];
    for (let i = 0; i < 6; i++) taken.push((await iterator.next()).value);
    // Pushed after the resync: delivered.
    fake.sink().push(exec(FAKE + 100));
    taken.push((await iterator.next()).value);

    expect(taken.slice(0, 4)).toEqual([0, 1, 2, 3].map((i) => heard[i]));
    expect(taken[4]).toMatchObject({
      type: 'lost',
      reason: 'queue-full',
      count: 6,
      source: 'connector',
    });
    const resync = taken[5];
    if (resync?.type !== 'resync') throw new Error(`expected a resync, got ${resync?.type}`);
    // Against the picture the consumer had: the four execs it saw are not running, the six it
    // never saw are in neither list.
    expect(resync.gone.filter((tgid) => tgid >= FAKE)).toEqual([
      FAKE,
      FAKE + 1,
      FAKE + 2,
      FAKE + 3,
    ]);
    expect(resync.started.some((p) => p.tgid >= FAKE)).toBe(false);
    expect(resync.running.some((p) => p.tgid === process.pid)).toBe(true);
    expect(taken[6]).toBe(heard[10]);
    // The listeners got every event, in order.
    expect(heard.map((e) => (e as ExecEvent).tgid)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => FAKE + i),
      FAKE + 100,
    ]);
    events.close();
  });

  it('gets no resync after queue-full when resync is off', async () => {
    const { fake, events } = open({ highWaterMark: 1, resync: false });
    const iterator = events[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) fake.sink().push(exec(FAKE + i));
    expect((await iterator.next()).value).toMatchObject({ tgid: FAKE });
    expect((await iterator.next()).value).toMatchObject({ type: 'lost', count: 2 });
    fake.sink().push(exec(FAKE + 9));
    expect((await iterator.next()).value).toMatchObject({ type: 'exec', tgid: FAKE + 9 });
    events.close();
  });

  it('does not slow another iterator, which gets every event', async () => {
    const { fake, events } = open({ highWaterMark: 2 });
    const slow = events[Symbol.asyncIterator]();
    const fast = events[Symbol.asyncIterator]();
    const fastTaken: number[] = [];
    for (let i = 0; i < 5; i++) {
      fake.sink().push(exec(FAKE + i));
      fastTaken.push(((await fast.next()).value as ExecEvent).tgid);
    }
    expect(fastTaken).toEqual([0, 1, 2, 3, 4].map((i) => FAKE + i));
    expect((await slow.next()).value).toMatchObject({ tgid: FAKE });
    expect((await slow.next()).value).toMatchObject({ tgid: FAKE + 1 });
    expect((await slow.next()).value).toMatchObject({ type: 'lost', count: 3 });
    events.close();
  });
});

describe('the picture of running processes', () => {
  it('follows fork, exec and exit, and a lost from the source brings lost then a resync', async () => {
    const { fake, events } = open();
    const before = events.running();
    expect(before.some((p) => p.tgid === process.pid)).toBe(true);
    const t = process.hrtime.bigint();
    // A thread's fork and exit (childPid !== childTgid) do not change the picture.
    fake.sink().push({
      type: 'fork',
      parentPid: process.pid,
      parentTgid: process.pid,
      childPid: FAKE + 1,
      childTgid: process.pid,
      timestampNs: t,
      source: 'connector',
    });
    fake.sink().push({
      type: 'exit',
      pid: FAKE + 1,
      tgid: process.pid,
      timestampNs: t,
      source: 'connector',
    });
    expect(events.running().some((p) => p.tgid === process.pid)).toBe(true);
    // The process's own exit removes it.
    fake.sink().push({
      type: 'exit',
      pid: process.pid,
      tgid: process.pid,
      timestampNs: t,
      source: 'connector',
    });
    expect(events.running().some((p) => p.tgid === process.pid)).toBe(false);

    const heard: ProcessEvent[] = [];
    events.on('event', (event) => heard.push(event));
    fake.sink().push({ type: 'lost', reason: 'overrun', timestampNs: t, source: 'connector' });
    // Many losses in one batch: one resync, once the batch is delivered.
    fake.sink().push({
      type: 'lost',
      reason: 'sequence-gap',
      count: 3,
      timestampNs: t,
      source: 'connector',
    });
    expect(heard.map((e) => e.type)).toEqual(['lost', 'lost']);
    await new Promise((resolve) => events.once('resync', resolve));
    expect(heard.map((e) => e.type)).toEqual(['lost', 'lost', 'resync']);
    const resync = heard[2];
    if (resync?.type !== 'resync') throw new Error('no resync');
    // This process, dropped from the picture by the fake exit, is found again.
    expect(resync.started.map((p) => p.tgid)).toContain(process.pid);
    expect(events.running().some((p) => p.tgid === process.pid)).toBe(true);
    // A loss whose resync has not run yet, then close: that resync never comes.
    fake.sink().push({ type: 'lost', reason: 'overrun', timestampNs: t, source: 'connector' });
    expect(heard.map((e) => e.type)).toEqual(['lost', 'lost', 'resync', 'lost']);
    events.close();
    await new Promise((resolve) => setTimeout(resolve, RESYNC_SPACING_MS + 50));
    expect(heard.map((e) => e.type)).toEqual(['lost', 'lost', 'resync', 'lost']);
  });

  it('resyncs a later loss once RESYNC_SPACING_MS has passed since the last resync, not before', () => {
    // The clock is vitest's (timers and performance.now()), so a loaded machine cannot move
    // the moments this checks; the scan itself is synchronous and reads the real /proc.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { fake, events } = open();
      const heard: string[] = [];
      events.on('event', (event) => heard.push(event.type));
      const lost = () =>
        fake.sink().push({
          type: 'lost',
          reason: 'overrun',
          timestampNs: process.hrtime.bigint(),
          source: 'connector',
        });
      lost();
      vi.advanceTimersByTime(0);
      expect(heard).toEqual(['lost', 'resync']);
      vi.advanceTimersByTime(20);
      lost();
      vi.advanceTimersByTime(RESYNC_SPACING_MS - 21);
      expect(heard).toEqual(['lost', 'resync', 'lost']);
      vi.advanceTimersByTime(1);
      expect(heard).toEqual(['lost', 'resync', 'lost', 'resync']);
      events.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops a process known only from an event once it turns out not to run', () => {
    const { fake, events } = open();
    fake.sink().push(exec(FAKE + 5));
    expect(events.running().some((p) => p.tgid === FAKE + 5)).toBe(false);
    events.close();
  });
});

describe('enrichment', () => {
  it("reads an exec's details; none when its source holds a later exec, or its exit and the pid lives", () => {
    // This test's own process: readable, running, started before the event.
    const { fake, events } = open({ enrich: true });
    try {
      const read = exec(process.pid);
      const execAgain = exec(process.pid);
      const exited = exec(process.pid);
      fake.sink().push(read);
      fake.sink().push(execAgain, { followedBy: 'exec' });
      // Said to have exited, yet running: another process at its pid.
      fake.sink().push(exited, { followedBy: 'exit' });
      expect(read.details?.path).toBe(process.execPath);
      expect(read.details?.missing).toEqual({});
      const allGone = {
        missing: { path: 'gone', args: 'gone', cwd: 'gone', stat: 'gone', uids: 'gone' },
      };
      expect(execAgain.details).toEqual(allGone);
      expect(exited.details).toEqual(allGone);
    } finally {
      events.close();
    }
  });
});

describe('close and failure', () => {
  it('close() ends for-await loops, emits close once, and stops the source', async () => {
    const { fake, events } = open();
    const closes: number[] = [];
    events.on('close', () => closes.push(1));
    const loops = [0, 1].map(async () => {
      const seen: ProcessEvent[] = [];
      for await (const event of events) seen.push(event);
      return seen.length;
    });
    fake.sink().push(exec(FAKE));
    await new Promise((resolve) => setImmediate(resolve));
    events.close();
    events.close();
    expect(await Promise.all(loops)).toEqual([1, 1]);
    expect(events.closed).toBe(true);
    expect(fake.closed()).toBe(true);
    expect(closes).toEqual([1]);
    // An iterator asked for after close ends at once; pushes after close go nowhere.
    fake.sink().push(exec(FAKE + 1));
    expect(await events[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
  });

  it('a failing source: held events, then the iterator throws; error and close are emitted', async () => {
    const { fake, events } = open();
    const errors: Error[] = [];
    events.on('error', (error) => errors.push(error));
    const iterator = events[Symbol.asyncIterator]();
    fake.sink().push(exec(FAKE));
    const failure = new EventSourceError('the socket failed', 'connector', 'EIO');
    fake.sink().fail(failure);
    expect(events.closed).toBe(true);
    expect(errors).toEqual([failure]);
    expect((await iterator.next()).value).toMatchObject({ tgid: FAKE });
    await expect(iterator.next()).rejects.toBe(failure);
  });

  it('a break out of for-await detaches the iterator', async () => {
    const { fake, events } = open({ highWaterMark: 1 });
    fake.sink().push(exec(FAKE));
    const pending = (async () => {
      for await (const event of events) return event;
    })();
    fake.sink().push(exec(FAKE + 1));
    expect(await pending).toMatchObject({ tgid: FAKE + 1 });
    // Detached: pushes no longer reach it (nothing to assert but that nothing throws), and
    // close still works.
    fake.sink().push(exec(FAKE + 2));
    events.close();
  });
});

describe('the choice of source', () => {
  const failing = (error: Error) => ({
    connector: () => {
      throw error;
    },
    polling: fakeSource().openers.polling,
  });

  it("'auto' falls back to polling and says why", () => {
    const events = new ProcessEvents(
      { procfs },
      failing(new EventSourceError('CAP_NET_ADMIN is needed', 'connector', 'EPERM')),
    );
    expect(events.source).toEqual({
      kind: 'polling',
      reason: 'EPERM: CAP_NET_ADMIN is needed',
      misses: [...POLLING_MISSES],
    });
    events.close();
  });

  it("'connector' throws an EventSourceError when it cannot open", () => {
    const cause = Object.assign(new Error('socket: EPROTONOSUPPORT'), { code: 'EPROTONOSUPPORT' });
    let thrown: unknown;
    try {
      new ProcessEvents({ source: 'connector', procfs }, failing(cause));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventSourceError);
    expect(thrown).toMatchObject({ source: 'connector', code: 'EPROTONOSUPPORT', cause });
  });

  it('an opened connector is the source, with nothing missed', () => {
    const { events } = open();
    expect(events.source).toEqual({ kind: 'connector', reason: 'asked for', misses: [] });
    events.close();
  });

  it('refuses bad options with a TypeError naming the option', () => {
    const openers = fakeSource().openers;
    const bad = (options: object) => () => new ProcessEvents(options as never, openers);
    expect(bad({ source: 'kernel' })).toThrow(/source/);
    expect(bad({ highWaterMark: 0 })).toThrow(/highWaterMark/);
    expect(bad({ pollIntervalMs: -1 })).toThrow(/pollIntervalMs/);
    expect(bad({ receiveBufferBytes: 1.5 })).toThrow(/receiveBufferBytes/);
  });
});

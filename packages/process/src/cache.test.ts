// ProcessCache: entries bound to (pid, start time), a TTL on an injected clock, LRU eviction
// past maxSize, exited processes pruned. Fixture copies for the clock and size rules (their
// stat files give fixed start times), live children for exits.
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyFixture,
  exited,
  rewriteStartTime,
  startHold,
  styles,
  twin,
  watchedBackend,
} from '../test/helpers.js';
import { Process, ProcessCache } from './index.js';

afterAll(cleanupAll);

/** A clock the test moves by hand. */
function clock(start = 0) {
  const state = { now: start };
  return { state, now: () => state.now };
}

/** A ProcFS over a fixture copy that counts its file reads. */
class CountingProcFS extends ProcFS {
  reads = 0;
  constructor(options: { root: string }) {
    super({
      ...options,
      backend: watchedBackend(() => {
        this.reads++;
        return undefined;
      }),
    });
  }
}

describe('ProcessCache options', () => {
  it.each([
    { ttlMs: 0 },
    { ttlMs: -1 },
    { ttlMs: Number.NaN },
    { ttlMs: '100' as unknown as number },
    { maxSize: 0 },
    { maxSize: -3 },
    { maxSize: 1.5 },
    { maxSize: Number.NaN },
  ])('refuses %o with a TypeError', (options) => {
    expect(() => new ProcessCache(options)).toThrow(TypeError);
  });

  it('defaults to a 60 s TTL and 4096 entries', () => {
    const cache = new ProcessCache();
    expect({ ttlMs: cache.ttlMs, maxSize: cache.maxSize, size: cache.size }).toEqual({
      ttlMs: 60_000,
      maxSize: 4096,
      size: 0,
    });
  });
});

describe.each(styles)('ProcessCache (%s) on a fixture copy', (style) => {
  const setup = (options: { ttlMs?: number; maxSize?: number } = {}) => {
    const fixture = copyFixture();
    const time = clock();
    const cache = new ProcessCache({ ...options, procfs: fixture.procfs, now: time.now });
    const open = (pid: number) => Process.open(pid, { procfs: fixture.procfs });
    const get = (pid: number) =>
      twin(
        style,
        () => cache.get(pid),
        () => cache.getAsync(pid),
      );
    return { fixture, time, cache, open, get };
  };

  it('expires an entry ttlMs after it was added or last found', async () => {
    const { time, cache, open, get } = setup({ ttlMs: 1000 });
    const app = open(100);
    cache.add(app);
    time.state.now = 999;
    expect(await get(100)).toBe(app);
    // The hit gave it another TTL from 999.
    time.state.now = 1998;
    expect(cache.peek(100)).toBe(app);
    expect(await get(100)).toBe(app);
    time.state.now = 2998;
    expect(cache.peek(100)).toBeUndefined();
    expect(await get(100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxSize entries, the least recently used leaving first', async () => {
    const { cache, open, get } = setup({ maxSize: 2 });
    const [a, b, c] = [open(100), open(101), open(102)];
    cache.add(a);
    cache.add(b);
    expect(await get(100)).toBe(a);
    cache.add(c);
    expect(cache.size).toBe(2);
    expect([...cache].map((process) => process.pid)).toEqual([100, 102]);
    expect(cache.peek(101)).toBeUndefined();
  });

  it('replaces the entry of a pid that is added again', () => {
    const { cache, open } = setup();
    const first = open(100);
    const second = open(100);
    cache.add(first);
    cache.add(second);
    expect(cache.size).toBe(1);
    expect(cache.peek(100)).toBe(second);
  });

  it('refuses an entry whose pid was reused, and removes it', async () => {
    const { fixture, cache, open, get } = setup();
    cache.add(open(110));
    cache.add(open(111));
    rewriteStartTime(fixture.root, 110, 99999);
    expect(await get(110)).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.peek(111)?.pid).toBe(111);
  });

  it('getOrOpen opens and keeps a process once, then returns the kept one', async () => {
    const { fixture, cache } = setup();
    const getOrOpen = (pid: number) =>
      twin(
        style,
        () => cache.getOrOpen(pid),
        () => cache.getOrOpenAsync(pid),
      );
    const opened = await getOrOpen(100);
    expect({ pid: opened.pid, startTime: opened.startTime, comm: opened.comm }).toEqual({
      pid: 100,
      startTime: 1000,
      comm: 'app',
    });
    expect(opened.procfs).toBe(fixture.procfs);
    expect(opened.options.cache).toBe(cache);
    expect(cache.size).toBe(1);
    expect(await getOrOpen(100)).toBe(opened);
    // After a reuse, a new process is opened in its place.
    rewriteStartTime(fixture.root, 100, 5555);
    const reopened = await getOrOpen(100);
    expect(reopened).not.toBe(opened);
    expect(reopened.startTime).toBe(5555);
    expect(cache.peek(100)).toBe(reopened);
  });

  it('delete and clear remove entries', () => {
    const { cache, open } = setup();
    cache.add(open(100));
    cache.add(open(101));
    expect(cache.delete(100)).toBe(true);
    expect(cache.delete(100)).toBe(false);
    expect([...cache].map((process) => process.pid)).toEqual([101]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('prune removes expired entries and counts them', () => {
    const { time, cache, open } = setup({ ttlMs: 100 });
    cache.add(open(100));
    time.state.now = 50;
    cache.add(open(101));
    time.state.now = 100;
    expect(cache.prune()).toBe(1);
    expect([...cache].map((process) => process.pid)).toEqual([101]);
  });
});

describe('ProcessCache get reads nothing for a pid it does not hold', () => {
  it('makes no read', async () => {
    const fixture = copyFixture();
    const procfs = new CountingProcFS({ root: fixture.root });
    const cache = new ProcessCache({ procfs });
    expect(cache.get(100)).toBeUndefined();
    expect(await cache.getAsync(100)).toBeUndefined();
    expect(procfs.reads).toBe(0);
    cache.add(Process.open(100, { procfs }));
    const before = procfs.reads;
    expect(cache.get(100)?.pid).toBe(100);
    expect(procfs.reads).toBe(before + 1);
  });
});

describe.each(styles)('ProcessCache (%s) with live children', (style) => {
  it('get verifies the start time: a child killed and reaped is refused and dropped', async () => {
    const cache = new ProcessCache();
    const { child, pid } = await startHold(compileC('hold'), []);
    const process = Process.open(pid);
    cache.add(process);
    const get = () =>
      twin(
        style,
        () => cache.get(pid),
        () => cache.getAsync(pid),
      );
    expect(await get()).toBe(process);
    child.kill('SIGKILL');
    await exited(child);
    expect(await get()).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('prune removes processes that exited, and keeps the living', async () => {
    const cache = new ProcessCache();
    const hold = compileC('hold');
    const living = await startHold(hold, []);
    const dying = await startHold(hold, []);
    cache.add(Process.open(living.pid));
    cache.add(Process.open(dying.pid));
    dying.child.kill('SIGKILL');
    await exited(dying.child);
    expect(cache.prune()).toBe(1);
    expect([...cache].map((process) => process.pid)).toEqual([living.pid]);
  });
});

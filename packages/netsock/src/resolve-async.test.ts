// resolveAsync with the netlink backend: each exchange on libuv's thread pool (the event loop
// turns meanwhile), the same answers as resolve, one exchange at a time on a socket, and a
// close() in flight that lets the call end on its socket before closing it.
import { describe, expect, test } from 'vitest';
import { liveHolder, realAddon, resolverWithAddon } from '../test/helpers.js';
import type { NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import { NetlinkError } from './netlink/errors.js';
import { SocketResolver } from './resolver.js';

const netlink = netsockBackend().name === 'netlink';

const holder = liveHolder();

const inodes = () => Object.values(holder.sockets).map((s) => s.inode);

/** What the addon was asked, in order: exchanges begun and ended, datagrams received here, closes. */
interface Watched {
  addon: NetsockAddon;
  events: string[];
  recvs: number;
  /** The most exchanges running at once on one socket. */
  mostAtOnce: number;
}

/** The real addon, watched; `fail(n)` may make the n-th exchange (from 0) reject instead. */
function watchedAddon(fail?: (n: number) => Error | undefined): Watched {
  const real = realAddon();
  const running = new Map<number, number>();
  let count = 0;
  const watched: Watched = {
    events: [],
    recvs: 0,
    mostAtOnce: 0,
    addon: {
      ...real,
      recv(fd, buffer) {
        watched.recvs++;
        return real.recv(fd, buffer);
      },
      close(fd) {
        watched.events.push(`close ${fd}`);
        real.close(fd);
      },
      async exchangeAsync(fd, request, seq, portId, datagramBytes) {
        const failure = fail?.(count++);
        if (failure !== undefined) throw failure;
        const now = (running.get(fd) ?? 0) + 1;
        running.set(fd, now);
        watched.mostAtOnce = Math.max(watched.mostAtOnce, now);
        watched.events.push(`begin ${fd}`);
        try {
          const exchange = real.exchangeAsync as NonNullable<NetsockAddon['exchangeAsync']>;
          return await exchange(fd, request, seq, portId, datagramBytes);
        } finally {
          running.set(fd, (running.get(fd) ?? 1) - 1);
          watched.events.push(`end ${fd}`);
        }
      },
    },
  };
  return watched;
}

const fdsOf = (events: string[], what: string) =>
  new Set(events.filter((e) => e.startsWith(what)).map((e) => Number(e.split(' ')[1])));

describe.skipIf(!netlink)('resolveAsync with the netlink backend', () => {
  test('the event loop turns while it runs, and no datagram is received on this thread', async () => {
    const watched = watchedAddon();
    const resolver = resolverWithAddon({}, {}, watched.addon);
    let settled = false;
    let turns = 0;
    const turn = () => {
      if (settled) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn); // scheduled before the call: it runs first only if the call waits
    const found = await resolver.resolveAsync(inodes(), { pid: holder.pid });
    settled = true;
    expect(turns).toBeGreaterThan(0);
    expect(found.size).toBe(inodes().length);
    expect(fdsOf(watched.events, 'begin').size).toBe(1);
    expect(watched.recvs).toBe(0);
    resolver.close();
  });

  // (The procfs backend's two styles are compared in live.test.ts, on what /proc/net/unix can
  // prove: a unix row there may be unproven in one call and proven in the next.)
  test('the same answers as resolve on a live holder', async () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    const sync = resolver.resolve(inodes(), { pid: holder.pid });
    const async = await resolver.resolveAsync(inodes(), { pid: holder.pid });
    expect([...sync.keys()].sort()).toEqual(inodes().sort());
    expect(async).toEqual(sync);
    expect(await resolver.resolveAsync([], { pid: holder.pid })).toEqual(new Map());
    resolver.close();
  });

  test('calls at once, with a sync call among them: one exchange at a time on a socket', async () => {
    const watched = watchedAddon();
    const resolver = resolverWithAddon({}, {}, watched.addon);
    const expected = resolver.resolve(inodes(), { pid: holder.pid });
    const calls = Array.from({ length: 3 }, () =>
      resolver.resolveAsync(inodes(), { pid: holder.pid }),
    );
    // While those wait for their exchanges, a sync call uses a socket of its own.
    expect(resolver.resolve(inodes(), { pid: holder.pid })).toEqual(expected);
    for (const found of await Promise.all(calls)) expect(found).toEqual(expected);
    expect(watched.mostAtOnce).toBe(1);
    expect(watched.recvs).toBeGreaterThan(0); // the sync calls'
    resolver.close();
  });

  test('close() at once: the call ends on its socket, which is closed after its last exchange', async () => {
    const watched = watchedAddon();
    const resolver = resolverWithAddon({}, {}, watched.addon);
    const expected = new SocketResolver({ backend: 'netlink' }).resolve(inodes(), {
      pid: holder.pid,
    });
    const call = resolver.resolveAsync(inodes(), { pid: holder.pid });
    resolver.close();
    expect(await call).toEqual(expected);
    const [fd] = [...fdsOf(watched.events, 'begin')];
    expect(fdsOf(watched.events, 'begin').size).toBe(1);
    expect(watched.events.at(-1)).toBe(`close ${fd}`);
    expect(watched.events.filter((e) => e === `close ${fd}`)).toHaveLength(1);
    // A call after close() opens a socket again.
    expect(await resolver.resolveAsync(inodes(), { pid: holder.pid })).toEqual(expected);
    resolver.close();
  });

  test('ENOBUFS from an exchange: a NetlinkError, its socket closed, the next call works', async () => {
    const enobufs = Object.assign(new Error('recvfrom: No buffer space available'), {
      errno: 105,
    });
    const watched = watchedAddon((n) => (n === 0 ? enobufs : undefined));
    const resolver = resolverWithAddon({}, {}, watched.addon);
    const error = await resolver.resolveAsync(inodes(), { pid: holder.pid }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ code: 'ENOBUFS', errno: 105 });
    expect(fdsOf(watched.events, 'close').size).toBe(1);
    const found = await resolver.resolveAsync(inodes(), { pid: holder.pid });
    expect([...found.keys()].sort()).toEqual(inodes().sort());
    resolver.close();
  });
});

// socketsOf lists a process's descriptors on a native thread while it dumps the tcp and unix
// tables (socketsOfAsync: on libuv's thread pool). Whatever the overlap changes, the results and
// errors must stay those of the sequential path: list, then resolve(inodes, { pid }).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { trackChild } from '../../../test-support/processes.js';
import { cleanup, type Holder, isRoot, startHolder } from '../test/helpers.js';
import { loadAddon, type NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import { listSocketDescriptors } from './descriptors.js';
import { type SocketOfProcess, SocketResolver } from './resolver.js';

const netlink = netsockBackend().name === 'netlink';
const addon = (): NetsockAddon => (loadAddon() as { addon: NetsockAddon }).addon;

let holder: Holder;
beforeAll(async () => {
  holder = await startHolder();
});
afterAll(cleanup);

/** The sequential path socketsOf took before the overlap. */
function sequential(resolver: SocketResolver, pid: number): SocketOfProcess[] {
  const descriptors = listSocketDescriptors(pid);
  const found = resolver.resolve(
    descriptors.map((d) => d.inode),
    { pid },
  );
  return descriptors.map(({ fd, inode }) => {
    const socket = found.get(inode);
    return socket === undefined ? { fd, inode } : { fd, inode, socket };
  });
}

/** A resolver whose addon is the real one with some functions replaced. */
function resolverWith(changes: Partial<NetsockAddon>): SocketResolver {
  const resolver = new SocketResolver({ backend: 'netlink' });
  Object.assign(resolver, { addon: { ...addon(), ...changes } });
  return resolver;
}

/** The error a call throws (undefined: none). */
async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The pid of a process that has exited and been reaped. */
async function gonePid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe.skipIf(!netlink)('socketsOf with the listing overlapped', () => {
  test('the same descriptors and sockets as listing first, then resolving', async () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    const expected = sequential(resolver, holder.pid);
    // The held sockets, and the holder's stdio (Node's pipes are unix socket pairs).
    expect(expected.filter((d) => d.socket).length).toBe(Object.keys(holder.sockets).length + 3);
    expect(resolver.socketsOf(holder.pid)).toEqual(expected);
    expect(await resolver.socketsOfAsync(holder.pid)).toEqual(expected);
    // Twice more: the recordings' memory is reused from call to call.
    expect(resolver.socketsOf(holder.pid)).toEqual(expected);
    const [a, b] = await Promise.all([
      resolver.socketsOfAsync(holder.pid),
      resolver.socketsOfAsync(holder.pid),
    ]);
    expect([a, b]).toEqual([expected, expected]);
    resolver.close();
  });

  test('a process without socket descriptors: an empty list, no error', async () => {
    const child = trackChild(spawn('sleep', ['30'], { stdio: 'ignore' }));
    const pid = child.pid as number;
    const resolver = new SocketResolver({ backend: 'netlink' });
    expect(resolver.socketsOf(pid)).toEqual([]);
    expect(await resolver.socketsOfAsync(pid)).toEqual([]);
    resolver.close();
    child.kill('SIGKILL');
  });

  test('a pid that does not exist: the same ProcessGoneError as listing first', async () => {
    const pid = await gonePid();
    const resolver = new SocketResolver({ backend: 'netlink' });
    const before = await errorOf(() => listSocketDescriptors(pid));
    expect(before).toMatchObject({ name: 'ProcessGoneError', pid });
    expect(await errorOf(() => resolver.socketsOf(pid))).toEqual(before);
    expect(await errorOf(() => resolver.socketsOfAsync(pid))).toEqual(before);
    // A pid past pid_max too (a folder that never exists).
    const huge = 2 ** 31 - 1;
    expect(await errorOf(() => resolver.socketsOf(huge))).toEqual(
      await errorOf(() => new ProcFS().listFds(huge)),
    );
    resolver.close();
  });

  test('no thread could be started: the sequential path, the same result', () => {
    let started = 0;
    const resolver = resolverWith({
      listStart: () => {
        started++;
        return undefined;
      },
    });
    expect(resolver.socketsOf(holder.pid)).toEqual(sequential(resolver, holder.pid));
    expect(started).toBe(1);
    resolver.close();
  });

  test('a dump that fails while the descriptors are listed is asked again after the listing', async () => {
    const real = addon();
    let failures = 1;
    const send = (fd: number, bytes: Uint8Array) => {
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('sendto: No buffer space available'), { errno: 105 });
      }
      return real.send(fd, bytes);
    };
    const resolver = resolverWith({ send });
    const expected = sequential(new SocketResolver({ backend: 'netlink' }), holder.pid);
    expect(resolver.socketsOf(holder.pid)).toEqual(expected);
    failures = 1;
    expect(await resolver.socketsOfAsync(holder.pid)).toEqual(expected);
    // Failing for good: the error resolve() throws, after the listing.
    failures = Number.POSITIVE_INFINITY;
    expect(await errorOf(() => resolver.socketsOf(holder.pid))).toMatchObject({
      name: 'NetlinkError',
      code: 'ENOBUFS',
    });
    resolver.close();
  });

  test('a gone pid whose dumps also fail: the listing error comes first', async () => {
    const pid = await gonePid();
    const resolver = resolverWith({
      send: () => {
        throw Object.assign(new Error('sendto: No buffer space available'), { errno: 105 });
      },
    });
    expect(await errorOf(() => resolver.socketsOf(pid))).toMatchObject({
      name: 'ProcessGoneError',
      pid,
    });
    resolver.close();
  });

  test('listJoin: records that do not fit are kept until a large enough buffer comes', () => {
    const native = addon();
    const folder = `/proc/${holder.pid}/fd`;
    const whole = new Uint8Array(1 << 20);
    const used = native.readlinks(folder, whole);
    const handle = native.listStart?.(folder);
    expect(handle).toBeDefined();
    expect(native.listJoin?.(handle, new Uint8Array(8))).toBe(used);
    const copy = new Uint8Array(used);
    expect(native.listJoin?.(handle, copy)).toBe(used);
    expect(copy).toEqual(whole.subarray(0, used));
  });
});

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged-sockets.mjs', import.meta.url));
const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canSwitch = isRoot && spawnSync('setpriv', [...setpriv, 'true']).status === 0;

describe.skipIf(!netlink || !canSwitch)('as uid 65534, on a root process', () => {
  test('socketsOf and socketsOfAsync throw the PermissionDeniedError of the listing', () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const output = execFileSync(
      'setpriv',
      [...setpriv, process.execPath, script, String(holder.pid)],
      {
        encoding: 'utf8',
      },
    );
    const result = JSON.parse(output);
    expect(result.uid).toBe(65534);
    expect(result.listing).toMatchObject({
      ok: false,
      error: { name: 'PermissionDeniedError', pid: holder.pid },
    });
    expect(result.socketsOf).toEqual(result.listing);
    expect(result.socketsOfAsync).toEqual(result.listing);
  });
});

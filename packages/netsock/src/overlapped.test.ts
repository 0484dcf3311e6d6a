// socketsOfAsync lists a process's descriptors with procfs.runAsync (on libuv's thread pool with
// procfs's native backend) while it dumps the tcp and unix tables; socketsOf lists, then
// resolves. Whatever the overlap changes, the results and errors must stay those of the
// sequential path: list, then resolve(inodes, { pid }).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseNetInodes } from '@procmon/parse';
import { ProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { errorOf } from '../../../test-support/errors.js';
import { firstLine, trackChild } from '../../../test-support/processes.js';
import {
  canUnshare,
  isRoot,
  liveHolder,
  PYTHON,
  realAddon,
  resolverWithAddon,
  withNetFiles,
} from '../test/helpers.js';
import type { NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import type { SocketDescriptor } from './descriptors.js';
import { listSocketDescriptors } from './descriptors.js';
import { SocketResolver } from './resolver.js';

const netlink = netsockBackend().name === 'netlink';
const addon = realAddon;

const holder = liveHolder();

/** The sequential path socketsOf took before the overlap. */
function sequential(resolver: SocketResolver, pid: number): SocketDescriptor[] {
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
const resolverWith = (changes: Partial<NetsockAddon>, procfs?: ProcFS): SocketResolver =>
  resolverWithAddon(changes, procfs === undefined ? {} : { procfs });

/** The pid of a process that has exited and been reaped. */
async function gonePid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe.skipIf(!netlink)('socketsOf, and socketsOfAsync with the listing overlapped', () => {
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
    expect(await resolver.socketsOfAsync(holder.pid)).toEqual(expected);
    // socketsOf lists first, then resolves: a failing dump is the error resolve() throws.
    failures = 1;
    const listed = listSocketDescriptors(holder.pid).map((d) => d.inode);
    const resolveError = await errorOf(() => resolver.resolve(listed, { pid: holder.pid }));
    expect(resolveError).toMatchObject({ name: 'NetlinkError', code: 'ENOBUFS' });
    failures = 1;
    expect(await errorOf(() => resolver.socketsOf(holder.pid))).toEqual(resolveError);
    expect(resolver.socketsOf(holder.pid)).toEqual(expected);
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
    expect(await errorOf(() => resolver.socketsOfAsync(pid))).toMatchObject({
      name: 'ProcessGoneError',
      pid,
    });
    resolver.close();
  });
});

/**
 * A python3 that opens a unix socket pair and a loopback TCP connection after another, up to
 * `cap` descriptors; it pauses a millisecond between rounds so that the growth spans many
 * socketsOf calls rather than finishing before the second. Every descriptor it keeps is in a
 * socket table from the moment it exists: a TCP client socket is in none between socket() and
 * connect() (no dump, no /proc/net/tcp lists it), so the kept one is a dup made once connected
 * and the first descriptor is closed (a call that listed it then finds it closed, not missing).
 * It says `ready` before it starts, `done` once it holds them all (`done` resolves then).
 */
async function startGrower(cap: number) {
  const code = `
import socket, resource, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (${cap + 64}, ${cap + 64}))
listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(4096)
keep = []
print('ready', flush=True)
while len(keep) < ${cap}:
    time.sleep(0.001)
    keep.extend(socket.socketpair())
    client = socket.create_connection(listener.getsockname())
    keep.extend([client.dup(), listener.accept()[0]])
    client.close()
print('done', flush=True)
sys.stdin.read()
`;
  const child = trackChild(spawn(PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const said = (word: string) =>
    new Promise<void>((resolve) => lines.on('line', (line) => line === word && resolve()));
  const done = said('done');
  await said('ready');
  return { child, done };
}

/**
 * The descriptors of a socketsOf result returned without a socket although resolve() finds one
 * for them afterwards and they are still open (the same inode behind the same fd): with
 * list-then-resolve there are none.
 */
function unresolvedButOpen(
  resolver: SocketResolver,
  pid: number,
  result: SocketDescriptor[],
): SocketDescriptor[] {
  const missing = result.filter((d) => d.socket === undefined);
  const found = resolver.resolve(
    missing.map((d) => d.inode),
    { pid },
  );
  return missing.filter((d) => {
    if (!found.has(d.inode)) return false;
    try {
      return readlinkSync(`/proc/${pid}/fd/${d.fd}`) === `socket:[${d.inode}]`;
    } catch {
      return false;
    }
  });
}

/** The recordings a resolver keeps for the next socketsOf (a Map or an array). */
function pooled(resolver: SocketResolver): number {
  const early = Reflect.get(resolver, 'early') as object;
  const pool = Reflect.get(early, 'recordings') as { size?: number; length?: number };
  return pool.size ?? pool.length ?? 0;
}

describe.skipIf(!netlink)('socketsOf while the process changes', () => {
  test('a socket opened during the call and listed is resolved, as list-then-resolve does', async () => {
    const cap = 12000;
    const { child, done } = await startGrower(cap);
    const pid = child.pid as number;
    const resolver = new SocketResolver({ backend: 'netlink' });
    const wrong: SocketDescriptor[] = [];
    let calls = 0;
    let grown = false;
    done.then(() => {
      grown = true;
    });
    // Until the process says it is done growing (however slowly it grows on a busy machine):
    // every call but the last overlapped with sockets being opened.
    while (!grown) {
      const sync = resolver.socketsOf(pid);
      const async = await resolver.socketsOfAsync(pid);
      calls += 2;
      wrong.push(...unresolvedButOpen(resolver, pid, sync));
      wrong.push(...unresolvedButOpen(resolver, pid, async));
    }
    child.kill('SIGKILL');
    resolver.close();
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(wrong).toEqual([]);
  }, 60_000);

  test('socketsOfAsync, then close() at once: the same result as without close()', async () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    const expected = sequential(resolver, holder.pid);
    // The holder's UDP sockets are found after the listing, in a dump made after close().
    expect(expected.some((d) => d.socket?.protocol === 'udp')).toBe(true);
    const inFlight = resolver.socketsOfAsync(holder.pid);
    resolver.close();
    expect(await inFlight).toEqual(expected);
    // Two at once, each closing the other's channel: neither notices.
    const a = resolver.socketsOfAsync(holder.pid);
    resolver.close();
    const b = resolver.socketsOfAsync(holder.pid);
    resolver.close();
    expect(await Promise.all([a, b])).toEqual([expected, expected]);
    resolver.close();
  });

  // Each call reads the whole tcp and unix tables: a machine with tens of thousands of sockets
  // (TIME_WAIT ones included) makes each cost milliseconds, hence few calls and a long limit.
  test('24 at once: the same results, and at most one recording per early table kept', async () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    const expected = sequential(resolver, holder.pid);
    const calls = Array.from({ length: 24 }, () => resolver.socketsOfAsync(holder.pid));
    // Issued, none settled: a bounded number of them hold early dumps (the others resolve later).
    expect(Reflect.get(Reflect.get(resolver, 'early'), 'inFlight')).toBeLessThanOrEqual(4);
    const results = await Promise.all(calls);
    for (const result of results) expect(result).toEqual(expected);
    expect(pooled(resolver)).toBeLessThanOrEqual(2);
    resolver.close();
  }, 60_000);
});

/**
 * A python3 holding a loopback TCP connection, a unix socket pair, a netlink (rtnetlink) socket
 * and, as root, a packet socket. The netlink socket is bound (a first send binds it too): one
 * never bound is in no list, /proc/net/netlink included.
 */
async function startNonDiagHolder() {
  const code = `
import socket, sys
listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(8)
client = socket.create_connection(listener.getsockname())
keep = [listener, client, listener.accept()[0], *socket.socketpair()]
keep.append(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE))
keep[-1].bind((0, 0))
try:
    keep.append(socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0))
except OSError:
    pass
print(' '.join(str(s.fileno()) for s in keep[5:]), flush=True)
sys.stdin.read()
`;
  const child = trackChild(spawn(PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const line = await firstLine(child);
  return { child, pid: child.pid as number, nonDiagFds: line.trim().split(' ').map(Number) };
}

/**
 * A resolver counting the tcp (AF_INET part) and unix dump requests it sends, and its exact
 * unix lookups (a unix request without NLM_F_DUMP).
 */
function countingResolver(procfs?: ProcFS): {
  resolver: SocketResolver;
  dumps: { tcp: number; unix: number; unixLookups: number };
} {
  const real = addon();
  const dumps = { tcp: 0, unix: 0, unixLookups: 0 };
  const resolver = resolverWith(
    {
      send: (fd: number, bytes: Uint8Array) => {
        // nlmsg_type at 4 (TCPDIAG_GETSOCK: the compat tcp request; else SOCK_DIAG_BY_FAMILY),
        // nlmsg_flags at 6 (NLM_F_DUMP: 0x300), then after the 16-byte nlmsghdr: the family and,
        // for SOCK_DIAG_BY_FAMILY, the protocol.
        const type = bytes[4];
        const dump = ((bytes[7] as number) & 0x03) === 0x03;
        if (type === 18 || (type === 20 && bytes[16] === 2 && bytes[17] === 6)) dumps.tcp++;
        if (type === 20 && bytes[16] === 1) dumps[dump ? 'unix' : 'unixLookups']++;
        return real.send(fd, bytes);
      },
    },
    procfs,
  );
  return { resolver, dumps };
}

describe.skipIf(!netlink)('socketsOf and sockets no table has', () => {
  test('a netlink (and packet) socket: the sequential result, tcp and unix dumped once', async () => {
    const { child, pid, nonDiagFds } = await startNonDiagHolder();
    const { resolver, dumps } = countingResolver();
    const expected = sequential(new SocketResolver({ backend: 'netlink' }), pid);
    expect(nonDiagFds.length).toBe(isRoot ? 2 : 1);
    // The netlink and packet descriptors are listed, without a socket, and their files list them.
    const listed = (['netlink', 'packet'] as const).flatMap((file) =>
      parseNetInodes(new ProcFS().readNetFile(file, pid), { table: file }),
    );
    for (const fd of nonDiagFds) {
      const descriptor = expected.find((d) => d.fd === fd);
      expect(descriptor).toEqual({ fd, inode: expect.any(Number) });
      expect(listed).toContain(descriptor?.inode);
    }
    expect(expected.filter((d) => d.socket?.protocol === 'tcp').length).toBe(3);
    expect(resolver.socketsOf(pid)).toEqual(expected);
    expect(dumps).toEqual({ tcp: 1, unix: 1, unixLookups: 0 });
    Object.assign(dumps, { tcp: 0, unix: 0 });
    expect(await resolver.socketsOfAsync(pid)).toEqual(expected);
    expect(dumps).toEqual({ tcp: 1, unix: 1, unixLookups: 0 });
    resolver.close();
    child.kill('SIGKILL');
  });

  test('/proc/<pid>/net/netlink unreadable: each looked up in unix, tcp dumped again, the same result', async () => {
    const { child, pid, nonDiagFds } = await startNonDiagHolder();
    const unreadable = withNetFiles(new ProcFS(), {
      instead: (name) =>
        name === 'netlink' || name === 'packet'
          ? new TextEncoder().encode('not the header\n')
          : undefined,
    });
    const { resolver, dumps } = countingResolver(unreadable);
    const expected = sequential(new SocketResolver({ backend: 'netlink' }), pid);
    expect(resolver.socketsOf(pid)).toEqual(expected);
    expect(dumps).toEqual({ tcp: 2, unix: 1, unixLookups: nonDiagFds.length });
    resolver.close();
    child.kill('SIGKILL');
  });
});

describe.skipIf(!netlink || !canUnshare)(
  'socketsOfAsync in more namespaces than channels kept',
  () => {
    test('17 namespaces at once: every call resolves its UDP socket', async () => {
      const children = await Promise.all(
        Array.from({ length: 17 }, async () => {
          const code =
            "import socket,sys\nu=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nu.bind(('0.0.0.0',0))\nprint('ready',flush=True)\nsys.stdin.read()";
          const child = trackChild(
            spawn('unshare', ['-n', PYTHON, '-c', code], { stdio: ['pipe', 'pipe', 'inherit'] }),
          );
          await firstLine(child);
          return child;
        }),
      );
      const resolver = new SocketResolver({ backend: 'netlink' });
      const results = await Promise.allSettled(
        children.map((c) => resolver.socketsOfAsync(c.pid as number)),
      );
      const protocols = results.map((r) =>
        r.status === 'fulfilled'
          ? r.value.map((d) => d.socket?.protocol).filter((p) => p === 'udp')
          : String(r.reason),
      );
      expect(protocols).toEqual(children.map(() => ['udp']));
      resolver.close();
      for (const child of children) child.kill('SIGKILL');
    }, 60_000);
  },
);

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

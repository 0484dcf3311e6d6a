// /proc/net/unix prints a socket's name as it is, newlines included: any process can bind a name
// such as "x\n<a whole row>" whose text reads as a row claiming another user's socket, with any
// name, type and state. The procfs backend must never report such a row's claims as the
// socket's; the netlink backend gives names exactly. See "What each backend can prove" in the
// README.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNetUnix } from '@procmon/parse';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import {
  cleanup,
  type HeldSocket,
  type Holder,
  isRoot,
  PYTHON,
  startHolder,
  withNetFiles,
} from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';
import type { SocketEntry } from './types.js';

afterAll(cleanup);

const DBUS = '/run/dbus/system_bus_socket';
const LISTEN = 0x10000;
const HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path';

/** A row exactly as the kernel prints it: "%pK: %08X %08X %08X %04X %02X %5lu", name. */
function kernelRow(
  inode: number,
  more: { flags?: number; type?: number; state?: number; path?: string } = {},
): string {
  const hex = (value: number, width: number) =>
    value.toString(16).toUpperCase().padStart(width, '0');
  const fixed = `${'0'.repeat(16)}: 00000002 00000000 ${hex(more.flags ?? 0, 8)} ${hex(more.type ?? 1, 4)} ${hex(more.state ?? 1, 2)} ${String(inode).padStart(5, ' ')}`;
  return more.path === undefined ? fixed : `${fixed} ${more.path}`;
}

/** A /proc/net/unix text of these lines. */
const unixTable = (...lines: string[]) => `${HEADER}\n${lines.join('\n')}\n`;

/** Two unnamed rows: after them, no name above the first can reach (a name takes at most 108 bytes). */
const spacer = (inode: number) => [kernelRow(inode), kernelRow(inode + 1)];

/**
 * A procfs backend reading `/net/<table>` from a temp folder (tables not given are missing, as on
 * a kernel without them). A table given as a list is a different text at each read (the last
 * one from then on).
 */
function resolverOn(tables: Record<string, string | string[]>): SocketResolver {
  const root = tempFolder('netsock-forged-');
  mkdirSync(join(root, 'net'));
  const reads = new Map<string, number>();
  const procfs = new ProcFS({ root });
  for (const [name, text] of Object.entries(tables)) {
    writeFileSync(join(root, 'net', name), Array.isArray(text) ? (text[0] as string) : text);
  }
  const textOf = (name: string): Uint8Array | undefined => {
    const text = tables[name];
    if (!Array.isArray(text)) return undefined;
    const read = reads.get(name) ?? 0;
    reads.set(name, read + 1);
    return new TextEncoder().encode(text[Math.min(read, text.length - 1)]);
  };
  return new SocketResolver({
    backend: 'procfs',
    procfs: withNetFiles(procfs, { instead: textOf }),
  });
}

const unixEntry = (inode: number, more: Partial<SocketEntry>): SocketEntry => ({
  family: 'unix',
  protocol: 'unix',
  inode,
  uid: -1,
  state: 'UNCONNECTED',
  type: 'stream',
  ...more,
});

describe('the procfs backend on a captured table with forged rows', () => {
  // @procmon/parse's live-unix-forged (test/net-forged-capture.sh there): root held a listener
  // on victim.sock (332164) and a socket pair (332165, 332166); uid 65534 bound five names
  // holding rows that claim those inodes (331274 to 331278). Worked out by hand from the rows
  // (see parse's net-unix.test.ts for where each one is).
  const captured = readFileSync(
    fileURLToPath(new URL('../../parse/test/fixtures/net/live-unix-forged', import.meta.url)),
    'latin1',
  );
  const expected = new Map<number, SocketEntry>([
    // The kernel's rows: the victims as they are. The listener's name is followed by a row
    // within its reach (forger 3's), which could be more of it.
    [
      332164,
      unixEntry(332164, {
        state: 'LISTEN',
        path: '/tmp/procmon-forged-fixture/victim.sock',
        abstract: false,
        unverified: 'path',
      }),
    ],
    [332165, unixEntry(332165, { state: 'ESTABLISHED' })],
    [332166, unixEntry(332166, { state: 'ESTABLISHED' })],
    // The forgers' own sockets. Forger 1's and forger 5's rows are the kernel's, but their names
    // go on into the rows they hold: the text shows only where they start.
    [331274, unixEntry(331274, { path: 'forged-1', abstract: true, unverified: 'path' })],
    [
      331278,
      unixEntry(331278, {
        type: 'dgram',
        path: '/tmp/procmon-forged-fixture/X0',
        abstract: false,
        unverified: 'path',
      }),
    ],
    // Forgers 2, 3 and 4: their rows lie within reach of names above, so nothing proves them.
    [331275, unixEntry(331275, { path: 'forged-2', abstract: true, unverified: 'row' })],
    [
      331276,
      unixEntry(331276, {
        path: '\n0000000000000000: 00000002 00000000 00010000 0001 01 332166 @forged-3',
        abstract: false,
        unverified: 'row',
      }),
    ],
    [
      331277,
      unixEntry(331277, {
        path: 'forged-4\n0000000000000000: 00000002 00000000 00000000 0002 01 332164\ntail',
        abstract: true,
        unverified: 'row',
      }),
    ],
  ]);

  test('resolve, resolveAsync and lookup: the victims as the kernel wrote them, the rest marked', async () => {
    const resolver = resolverOn({ unix: captured });
    const inodes = [...expected.keys()];
    expect(resolver.resolve(inodes)).toEqual(expected);
    expect(await resolver.resolveAsync(inodes)).toEqual(expected);
    for (const inode of inodes) expect(resolver.lookup(inode)).toEqual(expected.get(inode));
  });

  test('list: each inode once, nothing of the forged rows', () => {
    const listed = resolverOn({ unix: captured }).list({ tables: ['unix'] });
    expect(listed.map((entry) => entry.inode).sort()).toEqual([...expected.keys()].sort());
    expect(new Map(listed.map((entry) => [entry.inode, entry]))).toEqual(expected);
    expect(listed.some((entry) => entry.path === DBUS)).toBe(false);
  });
});

describe('the procfs backend on crafted tables', () => {
  // Forger 10's name is "f\n<row>": the row claims inode 500, a listener on the bus's path.
  const forger = kernelRow(10, { path: '@f' });
  const claim = kernelRow(500, { flags: LISTEN, path: DBUS });
  const victim = kernelRow(500, { type: 2, path: '/tmp/victim' });

  test('the kernel row of an inode wins over rows that may be forged, before or after it', () => {
    const real = unixEntry(500, { type: 'dgram', path: '/tmp/victim', abstract: false });
    const after = unixTable(forger, claim, ...spacer(20), victim);
    expect(resolverOn({ unix: after }).resolve([500]).get(500)).toEqual(real);
    // First, its name followed by a row within its reach: that row could be more of the name.
    const before = unixTable(victim, ...spacer(20), forger, claim);
    expect(resolverOn({ unix: before }).resolve([500]).get(500)).toEqual({
      ...real,
      unverified: 'path',
    });
  });

  test('rows that may be forged and disagree: nothing, in one read or across two', () => {
    // The victim's own row follows a short name too: nothing tells which row is the kernel's.
    const shadowed = unixTable(forger, claim, ...spacer(20), kernelRow(30, { path: '@g' }), victim);
    const resolver = resolverOn({ unix: shadowed });
    expect(resolver.resolve([500]).size).toBe(0);
    expect(resolver.lookup(500)).toBeUndefined();
    expect(resolver.list().filter((entry) => entry.inode === 500)).toEqual([]);
    // One read with only the claim (the kernel skipped the victim's row), the next with only
    // the victim's row, itself within reach of a name.
    const twoReads = resolverOn({
      unix: [unixTable(forger, claim), unixTable(kernelRow(30, { path: '@g' }), victim)],
    });
    expect(twoReads.resolve([500]).size).toBe(0);
  });

  test('a claim the second look disproves: the kernel row of the second read', async () => {
    // The first read lacks the victim's row (the kernel skipped it while others closed).
    const reads = [
      unixTable(forger, claim, ...spacer(20)),
      unixTable(forger, claim, ...spacer(20), victim),
    ];
    const real = unixEntry(500, { type: 'dgram', path: '/tmp/victim', abstract: false });
    expect(resolverOn({ unix: reads }).resolve([500]).get(500)).toEqual(real);
    expect((await resolverOn({ unix: reads }).resolveAsync([500])).get(500)).toEqual(real);
    expect(resolverOn({ unix: reads }).lookup(500)).toEqual(real);
  });

  test('a claim on an inode another table has: that table answers, in resolve and in list', () => {
    const udp = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 9989: 0100007F:B7A6 00000000:0000 07 00000000:00000000 00:00000000 00000000 65534        0 500 2 00000000658db76e 0',
      '',
    ].join('\n');
    const resolver = resolverOn({ unix: unixTable(forger, claim), udp });
    const udpSocket = { family: 'inet', protocol: 'udp', inode: 500, state: 'CLOSE', uid: 65534 };
    expect(resolver.resolve([500]).get(500)).toMatchObject(udpSocket);
    expect(resolver.lookup(500)).toMatchObject(udpSocket);
    const listed = resolver.list().filter((entry) => entry.inode === 500);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject(udpSocket);
  });

  test('a claim on an inode /proc/net/netlink lists: no entry', () => {
    const netlink = [
      'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
      '0000000000000000 0   1234       00000000 0        0        0     2        0        500',
      '',
    ].join('\n');
    expect(resolverOn({ unix: unixTable(forger, claim), netlink }).resolve([500]).size).toBe(0);
  });

  test('a claim no other row or table contradicts: given, every part marked unverified', () => {
    // What the text cannot rule out: an inode of a socket no table lists (another family, a TCP
    // socket bound but not listening), or whose row both reads skipped.
    const claimed = unixEntry(500, {
      state: 'LISTEN',
      path: DBUS,
      abstract: false,
      unverified: 'row',
    });
    expect(
      resolverOn({ unix: unixTable(forger, claim) })
        .resolve([500])
        .get(500),
    ).toEqual(claimed);
    // The forger itself: the kernel's row, with a name that may go on into the claim.
    expect(resolverOn({ unix: unixTable(forger, claim) }).lookup(10)).toEqual(
      unixEntry(10, { path: 'f', abstract: true, unverified: 'path' }),
    );
  });

  test('a name that reads as abstract is never proven: a relative path "@..." reads the same', () => {
    // The last rows: nothing follows their names.
    const x11 = kernelRow(700, { flags: LISTEN, path: '@/tmp/.X11-unix/X0' });
    const resolver = resolverOn({ unix: unixTable(...spacer(20), x11) });
    expect(resolver.resolve([700]).get(700)).toEqual(
      unixEntry(700, {
        state: 'LISTEN',
        path: '/tmp/.X11-unix/X0',
        abstract: true,
        unverified: 'path',
      }),
    );
    const onPath = kernelRow(701, { flags: LISTEN, path: '/tmp/.X11-unix/X0' });
    expect(resolverOn({ unix: unixTable(...spacer(20), onPath) }).lookup(701)).toEqual(
      unixEntry(701, { state: 'LISTEN', path: '/tmp/.X11-unix/X0', abstract: false }),
    );
  });

  test('two kernel rows of one inode (the table changed while read): the later one', () => {
    const before = kernelRow(600);
    const after = kernelRow(600, { flags: LISTEN, path: '/tmp/bound' });
    const text = unixTable(before, ...spacer(20), after);
    expect(resolverOn({ unix: text }).resolve([600]).get(600)).toEqual(
      unixEntry(600, { state: 'LISTEN', path: '/tmp/bound', abstract: false }),
    );
  });
});

const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canSwitch = isRoot && spawnSync('setpriv', [...setpriv, 'true']).status === 0;
const netlink = netsockBackend().name === 'netlink';
const forgerScript = fileURLToPath(new URL('../test/unix-forger.py', import.meta.url));

/** What test/unix-forger.py did for one victim. */
interface Forged {
  victim: number;
  /** The forger's socket, whose name holds the row. */
  inode: number;
  /** Its name: a path relative to the folder it was bound in. */
  name: string;
  /** Whether the row came before the victim's own row in /proc/net/unix. */
  first: boolean;
  tries: number;
}

describe.skipIf(!canSwitch)(
  'live: uid 65534 forges rows claiming the sockets of a root process',
  () => {
    let holder: Holder;
    let forged: Forged[];
    let forgerPid: number;
    const held = (name: string): HeldSocket => holder.sockets[name] as HeldSocket;
    // A datagram socket bound to a path (in a hash bucket a forger's name can come before) and an
    // unnamed connected stream socket.
    const victims = () => [held('unix-dgram-bound'), held('unix-stream-client')];

    beforeAll(async () => {
      holder = await startHolder();
      const [bound, client] = victims() as [HeldSocket, HeldSocket];
      // Where the forger binds its names (relative paths: a name holds at most 108 bytes).
      const folder = tempFolder('netsock-forger-');
      chmodSync(folder, 0o777);
      const child = trackChild(
        spawn(
          'setpriv',
          [...setpriv, PYTHON, forgerScript, folder, `${bound.inode}:first`, `${client.inode}`],
          {
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        ),
      );
      forged = JSON.parse(await firstLine(child)) as Forged[];
      forgerPid = child.pid as number;
    });

    /** Whether an entry is the victim's real socket (as the holder made it), never the claim. */
    function expectReal(entry: SocketEntry | undefined, victim: HeldSocket) {
      // Absent only when the victim's own row may be forged too (within reach of a name above):
      // then the text proves nothing for it.
      if (entry === undefined) return;
      expect(entry.path).not.toBe(DBUS);
      expect(entry.state).not.toBe('LISTEN');
      expect(entry.unverified).not.toBe('row');
      if (victim.path !== undefined) {
        expect(entry).toMatchObject({ type: 'dgram', state: 'UNCONNECTED', path: victim.path });
      } else {
        expect(entry).toMatchObject({ type: 'stream', state: 'ESTABLISHED' });
        expect(entry.path).toBeUndefined();
      }
    }

    test('the setup: each forged row reads as a row, the first one before its victim', () => {
      const [bound] = victims() as [HeldSocket];
      expect(forged.map((f) => f.victim)).toEqual(victims().map((v) => v.inode));
      expect(forged[0]?.first).toBe(true);
      // In file order, the first row with the bound socket's inode is the claim: what the
      // procfs backend reported before (the first row of an inode won).
      const rows = parseNetUnix(new ProcFS().readNetFile('unix', holder.pid));
      const first = rows.find((row) => row.inode === bound.inode);
      expect(first).toMatchObject({ path: DBUS, listening: true, possiblyForged: true });
      for (const { victim } of forged) {
        expect(rows.filter((row) => row.inode === victim && row.path === DBUS)).toHaveLength(1);
      }
    });

    test('resolve, resolveAsync, lookup: the victims as they are, never the claim', async () => {
      const resolver = new SocketResolver({ backend: 'procfs' });
      const inodes = victims().map((v) => v.inode);
      const found = resolver.resolve(inodes, { pid: holder.pid });
      const foundAsync = await resolver.resolveAsync(inodes, { pid: holder.pid });
      for (const victim of victims()) {
        expectReal(found.get(victim.inode), victim);
        expectReal(foundAsync.get(victim.inode), victim);
        expectReal(resolver.lookup(victim.inode, { pid: holder.pid }), victim);
      }
    });

    test('socketsOf, socketsOfAsync, describeDescriptors, list: never the claim', async () => {
      const resolver = new SocketResolver({ backend: 'procfs' });
      for (const list of [
        resolver.socketsOf(holder.pid),
        await resolver.socketsOfAsync(holder.pid),
      ]) {
        for (const victim of victims()) {
          const descriptor = list.find((d) => d.fd === victim.fd);
          expect(descriptor?.inode).toBe(victim.inode);
          expectReal(descriptor?.socket, victim);
        }
      }
      for (const line of resolver.describeDescriptors(holder.pid)) {
        expect(line.text).not.toContain(DBUS);
      }
      const listed = resolver.list({ pid: holder.pid, tables: ['unix'] });
      for (const victim of victims()) {
        const entries = listed.filter((entry) => entry.inode === victim.inode);
        expect(entries.length).toBeLessThanOrEqual(1);
        expectReal(entries[0], victim);
      }
    });

    test("the forger's own sockets: their names may go on, so never proven", () => {
      const resolver = new SocketResolver({ backend: 'procfs' });
      const found = resolver.resolve(
        forged.map((f) => f.inode),
        { pid: forgerPid },
      );
      for (const f of forged) {
        const entry = found.get(f.inode);
        if (entry === undefined) continue; // its own row may be in reach of another name
        expect(entry.unverified).toBeDefined();
        expect(f.name.startsWith(entry.path as string)).toBe(true);
        expect(entry.path).not.toBe(f.name);
      }
    });

    test.skipIf(!netlink)('netlink: the exact names, newline and row included', () => {
      const resolver = new SocketResolver({ backend: 'netlink' });
      const found = resolver.resolve(
        forged.map((f) => f.inode),
        { pid: forgerPid },
      );
      for (const f of forged) {
        expect(found.get(f.inode)).toMatchObject({
          path: f.name,
          abstract: false,
          state: 'LISTEN',
          uid: 65534,
        });
        expect(found.get(f.inode)?.unverified).toBeUndefined();
      }
      const victimsFound = resolver.resolve(
        victims().map((v) => v.inode),
        { pid: holder.pid },
      );
      const [bound, client] = victims() as [HeldSocket, HeldSocket];
      expect(victimsFound.get(bound.inode)).toMatchObject({
        type: 'dgram',
        state: 'UNCONNECTED',
        path: bound.path,
        uid: 0,
      });
      expect(victimsFound.get(client.inode)).toMatchObject({
        type: 'stream',
        state: 'ESTABLISHED',
      });
      for (const entry of victimsFound.values()) expect(entry.unverified).toBeUndefined();
      resolver.close();
    });
  },
);

// extraInfo() of a live child that holds descriptors the test gave it (two files with known
// size and mtime, a TCP connection, stdio socket pairs), with a fake socket lookup that records
// its calls, the default one, none, and one that throws; the fixture tree's descriptors and
// counters; and the same reads sync and async.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  openSync,
  readdirSync,
  readlinkSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  copyFixture,
  FIXTURE_PAGE_SIZE,
  failureSummary,
  startHold,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import {
  type ExtraInfo,
  type ExtraInfoField,
  type ExtraInfoOptions,
  Process,
  type ProcessOptions,
  type SocketInfo,
  type SocketLookup,
} from './index.js';

/** A lookup that records each call and knows every inode it is asked about. */
function fakeLookup() {
  const calls: { style: 'sync' | 'async'; inodes: number[]; pid: number | undefined }[] = [];
  const entry = (inode: number): SocketInfo => ({
    family: 'inet',
    protocol: 'tcp',
    inode,
    uid: 0,
    state: 'ESTABLISHED',
    localAddress: '10.0.0.1',
    localPort: inode % 65536,
  });
  const answer = (inodes: Iterable<number>) =>
    new Map([...inodes].map((inode) => [inode, entry(inode)]));
  const lookup: SocketLookup = {
    resolve(inodes, options) {
      calls.push({ style: 'sync', inodes: [...inodes], pid: options?.pid });
      return answer(calls.at(-1)?.inodes ?? []);
    },
    async resolveAsync(inodes, options) {
      calls.push({ style: 'async', inodes: [...inodes], pid: options?.pid });
      return answer(calls.at(-1)?.inodes ?? []);
    },
  };
  return { lookup, calls, entry };
}

const throwingLookup: SocketLookup = {
  resolve() {
    throw new Error('the socket lookup failed');
  },
  async resolveAsync() {
    throw new Error('the socket lookup failed');
  },
};

const extraInfo = (
  style: 'sync' | 'async',
  process: Process,
  options?: ExtraInfoOptions,
): Promise<ExtraInfo> =>
  twin(
    style,
    () => process.extraInfo(options),
    () => process.extraInfoAsync(options),
  );

const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }));

describe('extraInfo of a child holding known descriptors', () => {
  let binary: string;
  let pid: number;
  let files: { fd: number; path: string; size: number; mtime: Date }[];
  let server: Server;
  let client: Socket;
  const accepted: Socket[] = [];
  /** fd → socket inode, read with plain fs. */
  let socketInodes: Map<number, number>;

  beforeAll(async () => {
    const folder = tempFolder();
    binary = copyBinary(compileC('hold'), folder, 'procmon-extra');
    files = [
      {
        fd: 3,
        path: join(folder, 'first.txt'),
        size: 5,
        mtime: new Date('2020-01-02T03:04:05.678Z'),
      },
      {
        fd: 4,
        path: join(folder, 'second.bin'),
        size: 4096,
        mtime: new Date('2001-02-03T04:05:06.007Z'),
      },
    ];
    const fds = files.map(({ path, size, mtime }) => {
      writeFileSync(path, Buffer.alloc(size, 7));
      utimesSync(path, mtime, mtime);
      return openSync(path, 'r');
    });
    server = createServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new Socket();
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.connect((server.address() as { port: number }).port, '127.0.0.1', resolve);
    });
    ({ pid } = await startHold(binary, [], {
      stdio: ['pipe', 'pipe', 'inherit', fds[0], fds[1], client],
      env: { EXTRA: 'yes' },
    }));
    for (const fd of fds) closeSync(fd);
    socketInodes = new Map();
    for (const name of readdirSync(`/proc/${pid}/fd`)) {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${name}`));
      if (match) socketInodes.set(Number(name), Number(match[1]));
    }
    // stdin and stdout (socket pairs) and fd 5 (the TCP connection) at least.
    expect([...socketInodes.keys()]).toEqual(expect.arrayContaining([0, 1, 5]));
  });

  afterAll(async () => {
    client?.destroy();
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
    await cleanupAll();
  });

  const open = (options: ProcessOptions = {}) => Process.open(pid, options);

  describe.each(styles)('(%s)', (style) => {
    it('lists the files with their fd, path, size and mtime as fs.statSync gives them', async () => {
      const { descriptors, failures } = await extraInfo(style, open({ sockets: false }), {
        fields: ['descriptors'],
      });
      expect(failures).toEqual([]);
      for (const file of files) {
        expect(descriptors?.find((descriptor) => descriptor.fd === file.fd)).toEqual({
          fd: file.fd,
          target: { type: 'file', path: file.path, deleted: false },
          size: statSync(file.path).size,
          modified: statSync(file.path).mtime,
        });
      }
      expect(descriptors?.map((descriptor) => descriptor.fd)).toEqual(
        readdirSync(`/proc/${pid}/fd`)
          .map(Number)
          .sort((a, b) => a - b),
      );
    });

    it('gives each socket its connection from the lookup, asked once with every inode', async () => {
      const { lookup, calls, entry } = fakeLookup();
      const { descriptors, failures } = await extraInfo(style, open({ sockets: lookup }), {
        fields: ['descriptors'],
      });
      expect(failures).toEqual([]);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.style).toBe(style);
      expect(calls[0]?.pid).toBe(pid);
      expect([...(calls[0]?.inodes ?? [])].sort((a, b) => a - b)).toEqual(
        [...socketInodes.values()].sort((a, b) => a - b),
      );
      for (const [fd, inode] of socketInodes) {
        expect(descriptors?.find((descriptor) => descriptor.fd === fd)).toEqual({
          fd,
          target: { type: 'socket', inode },
          socket: entry(inode),
        });
      }
    });

    it('keeps the descriptors, without connections, when the lookup throws: a sockets failure', async () => {
      const { descriptors, failures } = await extraInfo(style, open({ sockets: throwingLookup }), {
        fields: ['descriptors'],
      });
      expect(failureSummary(failures)).toEqual([{ field: 'sockets', reason: 'other' }]);
      expect(failures[0]?.message).toBe('the socket lookup failed');
      const tcp = descriptors?.find((descriptor) => descriptor.fd === 5);
      expect(tcp).toEqual({ fd: 5, target: { type: 'socket', inode: socketInodes.get(5) } });
      expect(descriptors?.find((descriptor) => descriptor.fd === 3)?.size).toBe(files[0]?.size);
    });

    it('finds the TCP connection with the default lookup (@procmon/netsock)', async () => {
      const { descriptors } = await extraInfo(style, open(), { fields: ['descriptors'] });
      const tcp = descriptors?.find((descriptor) => descriptor.fd === 5);
      expect(tcp?.socket).toMatchObject({
        protocol: 'tcp',
        inode: socketInodes.get(5),
        state: 'ESTABLISHED',
        localAddress: '127.0.0.1',
        localPort: client.localPort,
        remoteAddress: '127.0.0.1',
        remotePort: (server.address() as { port: number }).port,
      });
    });

    it('has environ, io (bigint counters), status, stat, stack, maps and statm in bytes', async () => {
      const info = await extraInfo(style, open({ sockets: false }));
      expect(info.failures).toEqual([]);
      expect([...(info.environ ?? [])]).toEqual([['EXTRA', 'yes']]);
      for (const value of Object.values(info.io ?? {})) expect(typeof value).toBe('bigint');
      expect(Object.keys(info.io ?? {})).toHaveLength(7);
      expect(info.status).toMatchObject({ name: 'procmon-extra', pid, ppid: process.pid });
      expect(info.stat).toMatchObject({ pid, ppid: process.pid, comm: 'procmon-extra' });
      expect(typeof info.stack).toBe('string');
      expect(info.maps?.some((entry) => entry.pathname === binary)).toBe(true);
      const statm = info.statm;
      expect(statm?.pages.size).toBeGreaterThan(0);
      for (const [name, pages] of Object.entries(statm?.pages ?? {})) {
        expect(statm?.bytes[name as keyof typeof statm.bytes]).toBe(pages * pageSize);
      }
    });

    it('reads only the fields asked for', async () => {
      const info = await extraInfo(style, open({ sockets: false }), {
        fields: ['statm', 'environ'],
      });
      expect(Object.keys(info).sort()).toEqual(['environ', 'failures', 'statm']);
    });
  });

  it('gives the same descriptors, environ, maps and statm sync and async', async () => {
    const { lookup } = fakeLookup();
    const process = open({ sockets: lookup });
    const fields: ExtraInfoOptions['fields'] = ['descriptors', 'environ', 'maps', 'statm'];
    const [sync, async] = [process.extraInfo({ fields }), await process.extraInfoAsync({ fields })];
    expect({ ...async, environ: [...(async.environ ?? [])] }).toEqual({
      ...sync,
      environ: [...(sync.environ ?? [])],
    });
  });

  it('marks a deleted open file as deleted, with the size of the open file', async () => {
    const folder = tempFolder();
    const path = join(folder, 'doomed.txt');
    writeFileSync(path, 'twelve bytes');
    const fd = openSync(path, 'r');
    const { pid: holder } = await startHold(compileC('hold'), [], {
      stdio: ['pipe', 'pipe', 'inherit', fd],
    });
    closeSync(fd);
    unlinkSync(path);
    const { descriptors } = Process.open(holder, { sockets: false }).extraInfo({
      fields: ['descriptors'],
    });
    expect(descriptors?.find((descriptor) => descriptor.fd === 3)).toMatchObject({
      fd: 3,
      target: { type: 'file', path, deleted: true },
      size: 12,
    });
  });
});

describe.each(styles)('extraInfo (%s) on the fixture tree', (style) => {
  it('has the descriptors of pid 100, its two sockets resolved in one call', async () => {
    const fixture = copyFixture();
    const { lookup, calls, entry } = fakeLookup();
    const process = Process.open(100, { procfs: fixture.procfs, sockets: lookup });
    const info = await extraInfo(style, process, { fields: ['descriptors'] });
    expect(info).toEqual({
      descriptors: [
        { fd: 3, target: { type: 'socket', inode: 4242 }, socket: entry(4242) },
        { fd: 4, target: { type: 'pipe', inode: 77 } },
        { fd: 5, target: { type: 'socket', inode: 4343 }, socket: entry(4343) },
        { fd: 6, target: { type: 'anon_inode', name: 'eventfd', bracketed: true } },
      ],
      failures: [],
    });
    expect(calls).toEqual([{ style, inodes: [4242, 4343], pid: 100 }]);
  });

  it('has statm in bytes at the fixture page size, and io past 2^53 exact', async () => {
    const fixture = copyFixture();
    const process = Process.open(100, { procfs: fixture.procfs });
    const info = await extraInfo(style, process, { fields: ['statm', 'io'] });
    expect(info.failures).toEqual([]);
    expect(info.statm).toEqual({
      pages: { size: 2560, resident: 256, shared: 64, text: 1, lib: 0, data: 128, dt: 0 },
      bytes: {
        size: 2560 * FIXTURE_PAGE_SIZE,
        resident: 256 * FIXTURE_PAGE_SIZE,
        shared: 64 * FIXTURE_PAGE_SIZE,
        text: FIXTURE_PAGE_SIZE,
        lib: 0,
        data: 128 * FIXTURE_PAGE_SIZE,
        dt: 0,
      },
    });
    expect(info.io?.rchar).toBe(18446744073709551615n);
    expect(info.io?.cancelledWriteBytes).toBe(7n);
  });

  it('reports the missing files of pid 100 as failures, not a throw', async () => {
    const fixture = copyFixture();
    const process = Process.open(100, { procfs: fixture.procfs, sockets: false });
    const info = await extraInfo(style, process);
    expect(info.environ?.get('EQ')).toBe('a=b=c');
    expect(failureSummary(info.failures)).toEqual([
      { field: 'stack', reason: 'other' },
      { field: 'status', reason: 'other' },
    ]);
  });

  it('on a root whose page size cannot be read, still returns the fields that need none', async () => {
    const fixture = copyFixture();
    unlinkSync(join(fixture.root, 'self', 'auxv'));
    const process = Process.open(100, { procfs: fixture.procfs, sockets: false });
    const info = await extraInfo(style, process, { fields: ['environ', 'statm'] });
    expect(info.environ?.get('EQ')).toBe('a=b=c');
    expect(info.statm).toBeUndefined();
    expect(failureSummary(info.failures)).toEqual([{ field: 'statm', reason: 'other' }]);
  });
});

describe('extraInfo field names', () => {
  it('refuses an unknown field before reading anything, sync and async', async () => {
    const process = Process.open(globalThis.process.pid);
    const fields = ['environ', 'stak'] as unknown as ExtraInfoField[];
    expect(() => process.extraInfo({ fields })).toThrow(
      new TypeError(
        'unknown extra info field "stak"; known: environ, descriptors, io, status, stat, stack, maps, statm',
      ),
    );
    await expect(process.extraInfoAsync({ fields })).rejects.toThrow(TypeError);
  });
});

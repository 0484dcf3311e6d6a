// The diff over archives crafted by hand, with the expected answers written out: a reused pid is
// one gone and one started, an exec to another binary under the same pid is a checksum change of
// that process, an unconnected UDP socket is a listener, and damaged input is a SnapshotError.
import { describe, expect, it } from 'vitest';
import { craftArchive, craftedManifest } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { CHECKSUMS_NAME, type SnapshotChecksums } from './checksums.js';
import { diffSnapshots } from './diff.js';
import { SnapshotError } from './errors.js';
import type { SnapshotManifest } from './manifest.js';
import type { TarMember } from './tar-format.js';

const text = (value: string) => new TextEncoder().encode(value);
const file = (path: string, data: string): TarMember => ({ type: 'file', path, data: text(data) });
const link = (path: string, target: string): TarMember => ({
  type: 'link',
  path,
  target: text(target),
});

/** A stat of 52 fields as the kernel writes it: pid, comm, state, ppid, ..., starttime (22). */
function stat(pid: number, comm: string, ppid: number, startTime: number): string {
  const fields = Array.from({ length: 52 }, () => '0');
  fields[0] = String(pid);
  fields[1] = `(${comm})`;
  fields[2] = 'S';
  fields[3] = String(ppid);
  fields[21] = String(startTime);
  return `${fields.join(' ')}\n`;
}

interface Crafted {
  pid: number;
  comm: string;
  startTime: number;
  exe?: string;
  args?: string[];
  sockets?: number[];
}

function processMembers({ pid, comm, startTime, exe, args, sockets }: Crafted): TarMember[] {
  const members: TarMember[] = [
    { type: 'folder', path: `proc/${pid}/` },
    file(`proc/${pid}/stat`, stat(pid, comm, 1, startTime)),
    file(`proc/${pid}/cmdline`, (args ?? [comm]).map((arg) => `${arg}\0`).join('')),
  ];
  if (exe !== undefined) members.push(link(`proc/${pid}/exe`, exe));
  members.push({ type: 'folder', path: `proc/${pid}/fd/` });
  for (const [fd, inode] of (sockets ?? []).entries())
    members.push(link(`proc/${pid}/fd/${fd}`, `socket:[${inode}]`));
  return members;
}

const UDP_HEADER =
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
/** A udp row: local 127.0.0.1:port, remote 0.0.0.0:0, state 07 (unconnected). */
const udpRow = (port: number, inode: number) =>
  `  1: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 2 0000000000000000 0\n`;

async function snapshotOf(
  processes: Crafted[],
  options: {
    udp?: string;
    checksums?: SnapshotChecksums;
    manifest?: Partial<SnapshotManifest>;
  } = {},
) {
  const members: TarMember[] = [];
  if (options.checksums) members.push(file(CHECKSUMS_NAME, JSON.stringify(options.checksums)));
  members.push({ type: 'folder', path: 'proc/' });
  if (options.udp !== undefined)
    members.push({ type: 'folder', path: 'proc/net/' }, file('proc/net/udp', options.udp));
  members.push(...processes.flatMap(processMembers));
  const manifest = craftedManifest({ pids: processes.map((p) => p.pid), ...options.manifest });
  return readSnapshot(await craftArchive(members, manifest));
}

const digest = (c: string) => c.repeat(64);

describe('the diff of crafted snapshots', () => {
  it('counts a reused pid as one process gone and one started, each with its start time', async () => {
    const a = await snapshotOf([{ pid: 40, comm: 'old', startTime: 1000 }]);
    const b = await snapshotOf([{ pid: 40, comm: 'new', startTime: 2500 }]);
    const diff = diffSnapshots(a, b);
    expect(diff.gone).toEqual([
      {
        pid: 40,
        ppid: 1,
        comm: 'old',
        args: ['old'],
        path: undefined,
        startTime: 1000,
        startedAt: '2023-11-14T22:13:24.000Z',
      },
    ]);
    // 2500 ticks at the crafted 250 a second: 10 s after the crafted boot time.
    expect(diff.started).toEqual([
      {
        pid: 40,
        ppid: 1,
        comm: 'new',
        args: ['new'],
        path: undefined,
        startTime: 2500,
        startedAt: '2023-11-14T22:13:30.000Z',
      },
    ]);
  });

  it('gives nothing for the same processes and sockets', async () => {
    const processes = [{ pid: 7, comm: 'same', startTime: 5, sockets: [99] }];
    const udp = UDP_HEADER + udpRow(53, 99);
    const diff = diffSnapshots(
      await snapshotOf(processes, { udp }),
      await snapshotOf(processes, { udp }),
    );
    expect(diff).toMatchObject({
      started: [],
      gone: [],
      checksumChanged: [],
      newListeners: [],
      goneListeners: [],
    });
    expect(diff.checksumsCompared).toBe(false);
  });

  it('names a process that exec’d another binary under its pid as a checksum change of it', async () => {
    const before = { pid: 7, comm: 'sh', startTime: 5, exe: '/bin/sh' };
    const after = { pid: 7, comm: 'evil', startTime: 5, exe: '/tmp/evil' };
    const checksums = (exe: string, d: string): SnapshotChecksums => ({
      algorithms: ['sha256'],
      processes: [{ pid: 7, path: exe, source: 'exe', deleted: false, checksums: { sha256: d } }],
    });
    const diff = diffSnapshots(
      await snapshotOf([before], { checksums: checksums('/bin/sh', digest('a')) }),
      await snapshotOf([after], { checksums: checksums('/tmp/evil', digest('b')) }),
    );
    expect(diff.started).toEqual([]);
    expect(diff.checksumChanged).toEqual([
      {
        kind: 'process',
        path: '/tmp/evil',
        pathBefore: '/bin/sh',
        algorithm: 'sha256',
        before: [digest('a')],
        after: [digest('b')],
        processesBefore: [expect.objectContaining({ pid: 7, comm: 'sh' })],
        processesAfter: [expect.objectContaining({ pid: 7, comm: 'evil' })],
      },
    ]);
  });

  it('compares no checksums when the snapshots share no algorithm', async () => {
    const p = { pid: 7, comm: 'x', startTime: 5, exe: '/bin/x' };
    const withAlgorithm = (algorithm: string, d: string): SnapshotChecksums => ({
      algorithms: [algorithm],
      processes: [{ pid: 7, checksums: { [algorithm]: d } }],
    });
    const diff = diffSnapshots(
      await snapshotOf([p], { checksums: withAlgorithm('sha256', digest('a')) }),
      await snapshotOf([p], { checksums: withAlgorithm('md5', 'c'.repeat(32)) }),
    );
    expect(diff.checksumsCompared).toBe(false);
    expect(diff.checksumChanged).toEqual([]);
  });

  it('names an unconnected UDP socket as a listener, with the process holding its inode', async () => {
    const holder = { pid: 9, comm: 'dns', startTime: 5, sockets: [123] };
    const a = await snapshotOf([holder], { udp: UDP_HEADER });
    const b = await snapshotOf([holder], { udp: UDP_HEADER + udpRow(5353, 123) });
    const diff = diffSnapshots(a, b);
    expect(diff.newListeners).toEqual([
      {
        protocol: 'udp',
        family: 'inet',
        local: { address: '127.0.0.1', port: 5353 },
        remote: { address: '0.0.0.0', port: 0 },
        state: 'CLOSE',
        holders: [expect.objectContaining({ pid: 9, comm: 'dns' })],
      },
    ]);
    expect(diffSnapshots(b, a).goneListeners).toHaveLength(1);
  });

  it('leaves out a pid the manifest lists without a folder', async () => {
    const a = await snapshotOf([], { manifest: { pids: [12] } });
    const b = await snapshotOf([]);
    expect(diffSnapshots(a, b).gone).toEqual([]);
  });

  it.each([['a stat that does not parse', [file('proc/7/stat', 'garbage\n')], 'proc/7/stat']])(
    'refuses %s with a SnapshotError naming the member',
    async (_name, members, member) => {
      const manifest = craftedManifest({ pids: [7] });
      const bad = await readSnapshot(
        await craftArchive(
          [{ type: 'folder', path: 'proc/' }, { type: 'folder', path: 'proc/7/' }, ...members],
          manifest,
        ),
      );
      const good = await snapshotOf([]);
      const error = (() => {
        try {
          diffSnapshots(good, bad);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).member).toBe(member);
      expect((error as SnapshotError).reason).toBe('malformed');
    },
  );

  it('refuses a damaged socket table with a SnapshotError naming it', async () => {
    const a = await snapshotOf([], { udp: `${UDP_HEADER}  1: not a row\n` });
    expect(() => diffSnapshots(a, a)).toThrow(
      expect.objectContaining({
        name: 'SnapshotError',
        member: 'proc/net/udp',
        reason: 'malformed',
      }),
    );
  });
});

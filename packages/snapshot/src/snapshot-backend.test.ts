// The backend over a crafted snapshot, op by op, and through ProcFS: the errors node:fs gives for
// missing things, the capture's own errors replayed, what a snapshot cannot answer, the caps, and
// machine facts taken from the manifest rather than from this machine.
import { PermissionDeniedError, ProcessGoneError, ProcFS, ProcfsError } from '@procmon/procfs';
import { beforeAll, describe, expect, it } from 'vitest';
import { craftArchive, craftedManifest } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { snapshotBackend } from './snapshot-backend.js';
import type { TarMember } from './tar-format.js';
import type { Snapshot } from './tree.js';

const text = (value: string) => new TextEncoder().encode(value);
// pid 42, started at tick 5000, parent 1, in state S; its status says effective uid 1001.
const STAT = `42 (crafted) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 5000 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
const STATUS =
  'Name:\tcrafted\nState:\tS (sleeping)\nPid:\t42\nPPid:\t1\nUid:\t1000\t1001\t1000\t1000\nGid:\t100\t100\t100\t100\n';

const members: TarMember[] = [
  { type: 'folder', path: 'proc/' },
  { type: 'file', path: 'proc/stat', data: text('cpu 1 2 3\nbtime 1700000000\n') },
  { type: 'folder', path: 'proc/net/' },
  { type: 'file', path: 'proc/net/tcp', data: text('  sl  local_address\n') },
  { type: 'folder', path: 'proc/42/' },
  { type: 'file', path: 'proc/42/stat', data: text(STAT) },
  { type: 'file', path: 'proc/42/status', data: text(STATUS) },
  { type: 'file', path: 'proc/42/cmdline', data: text('crafted\u0000--flag\u0000') },
  { type: 'file', path: 'proc/42/maps', data: new Uint8Array(3000) },
  { type: 'link', path: 'proc/42/exe', target: text('/usr/bin/crafted') },
  { type: 'link', path: 'proc/42/root', target: text('/') },
  { type: 'folder', path: 'proc/42/fd/' },
  { type: 'link', path: 'proc/42/fd/0', target: text('/dev/null') },
  { type: 'link', path: 'proc/42/fd/3', target: text('socket:[777]') },
  { type: 'link', path: 'proc/42/fd/4', target: text('pipe:[12]') },
  { type: 'folder', path: 'proc/42/task/' },
  { type: 'folder', path: 'proc/42/task/42/' },
  { type: 'folder', path: 'proc/42/task/43/' },
];
const manifest = craftedManifest({
  pids: [42],
  failures: [
    { pid: 42, file: 'io', code: 'EACCES' },
    { pid: 42, file: 'cwd', code: 'EACCES' },
    { pid: 42, file: 'fd/5', code: 'EACCES' },
    { file: 'net/udp', code: 'EACCES' },
  ],
});

let snapshot: Snapshot;
let procfs: ProcFS;
beforeAll(async () => {
  snapshot = await readSnapshot(await craftArchive(members, manifest));
  procfs = new ProcFS({ backend: snapshotBackend(snapshot) });
});

const errorOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('it did not throw');
};

describe('ops', () => {
  it('gives missing things the error node:fs gives: ENOENT with code, syscall and path', () => {
    const backend = snapshotBackend(snapshot);
    const outcome = backend.perform({ kind: 'read', path: '999/stat', maxBytes: 4096 }, '/proc');
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: '/proc/999/stat',
      message: "ENOENT: no such file or directory, open '/proc/999/stat'",
    });
    const closed = backend.perform({ kind: 'readlink', path: '42/fd/9' }, '/proc');
    expect(!closed.ok && closed.error).toMatchObject({ code: 'ENOENT', syscall: 'readlink' });
  });

  it('reads files and links as captured, honours maxBytes, and lists folders in archive order', () => {
    const backend = snapshotBackend(snapshot);
    expect(backend.perform({ kind: 'readlink', path: '42/exe' }, '/proc')).toEqual({
      ok: true,
      value: text('/usr/bin/crafted'),
    });
    const capped = backend.perform({ kind: 'read', path: '42/maps', maxBytes: 2999 }, '/proc');
    expect(!capped.ok && capped.error).toMatchObject({ code: 'EFBIG' });
    expect(
      backend.perform({ kind: 'read', path: '42/maps', maxBytes: 3000 }, '/proc'),
    ).toMatchObject({ ok: true });
    expect(backend.perform({ kind: 'readdir', path: '' }, '/proc')).toEqual({
      ok: true,
      value: ['stat', 'net', '42'],
    });
    expect(backend.perform({ kind: 'readdir', path: '42/task' }, '/proc')).toEqual({
      ok: true,
      value: ['42', '43'],
    });
  });

  it('lists fd links with the descriptors whose links could not be read', () => {
    const outcome = snapshotBackend(snapshot).perform({ kind: 'links', path: '42/fd' }, '/proc');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const value = outcome.value as { names: string[]; targets: unknown[] };
    expect(value.names).toEqual(['0', '3', '4', '5']);
    expect(value.targets.slice(0, 3)).toEqual(['/dev/null', 'socket:[777]', 'pipe:[12]']);
    expect(value.targets[3]).toMatchObject({ code: 'EACCES' });
  });

  it('answers ENODATA for what a snapshot does not hold, and never follows a link', () => {
    const backend = snapshotBackend(snapshot);
    const codeOf = (outcome: ReturnType<typeof backend.perform>) =>
      !outcome.ok ? (outcome.error as { code: string }).code : 'ok';
    expect(
      codeOf(backend.perform({ kind: 'read', path: '42/smaps_rollup', maxBytes: 4096 }, '/proc')),
    ).toBe('ENODATA');
    expect(
      codeOf(backend.perform({ kind: 'read', path: '42/environ', maxBytes: 4096 }, '/proc')),
    ).toBe('ENODATA');
    expect(codeOf(backend.perform({ kind: 'read', path: '42/exe', maxBytes: 4096 }, '/proc'))).toBe(
      'ENODATA',
    );
    expect(
      codeOf(backend.perform({ kind: 'stat', path: text('42/root/etc/passwd') }, '/proc')),
    ).toBe('ENODATA');
    expect(
      codeOf(
        backend.perform({ kind: 'read', path: '42/root/etc/passwd', maxBytes: 4096 }, '/proc'),
      ),
    ).toBe('ENODATA');
    expect(codeOf(backend.perform({ kind: 'ranges', path: '42/mem', ranges: [] }, '/proc'))).toBe(
      'ENODATA',
    );
    expect(
      codeOf(backend.perform({ kind: 'read', path: 'net/raw', maxBytes: 4096 }, '/proc')),
    ).toBe('ENODATA');
    // A file the capture reads for every process, absent: it was absent live too.
    expect(
      codeOf(backend.perform({ kind: 'read', path: '42/comm', maxBytes: 4096 }, '/proc')),
    ).toBe('ENOENT');
  });

  it('gives a process folder the effective uid from its status, and its sockets from fd links', () => {
    const backend = snapshotBackend(snapshot);
    expect(backend.perform({ kind: 'stat', path: '42' }, '/proc')).toMatchObject({
      ok: true,
      value: { uid: 1001, mode: 0o040555 },
    });
    expect(backend.perform({ kind: 'stat', path: '42/task/43' }, '/proc')).toMatchObject({
      ok: true,
      value: { uid: 1001 },
    });
    const sockets = backend.perform({ kind: 'sockets', path: '42' }, '/proc');
    expect(sockets).toMatchObject({
      ok: true,
      value: { sockets: [{ fd: 3, inode: 777 }], uid: 1001, vanished: false, denied: true },
    });
  });
});

describe('through ProcFS', () => {
  it('takes the machine facts from the manifest, not from this machine', () => {
    // No uptime file in this archive: the seconds since boot are takenAt less the boot time.
    const takenMs = Date.parse('2026-01-02T03:04:05.000Z');
    expect(procfs.machineFacts()).toEqual({
      pageSize: 16384,
      clockTicks: 250,
      bootTimeSeconds: 1_700_000_000,
      capturedAt: { wallMs: takenMs, uptimeSeconds: takenMs / 1000 - 1_700_000_000 },
    });
    expect(new ProcFS().machineFacts().clockTicks).not.toBe(250);
  });

  it('counts time to the capture: machineMoment is takenAt and the captured uptime, read again later', async () => {
    const withUptime = await readSnapshot(
      await craftArchive(
        [
          ...members.slice(0, 2),
          { type: 'file', path: 'proc/uptime', data: text('1234.56 99.00\n') },
        ],
        manifest,
      ),
    );
    const captured = new ProcFS({ backend: snapshotBackend(withUptime) });
    const expected = { wallMs: Date.parse('2026-01-02T03:04:05.000Z'), uptimeSeconds: 1234.56 };
    expect(captured.machineMoment()).toEqual(expected);
    expect(await captured.promises.machineMoment()).toEqual(expected);
  });

  it('serves the namespace links, smaps_rollup and limits a capture holds; an older capture lacks them (ENODATA)', async () => {
    const rollup = 'Rss:  100 kB\nPss:  60 kB\n';
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \n';
    const withResources = await readSnapshot(
      await craftArchive(
        [
          ...members,
          { type: 'file', path: 'proc/42/smaps_rollup', data: text(rollup) },
          { type: 'file', path: 'proc/42/limits', data: text(limits) },
          { type: 'folder', path: 'proc/42/ns/' },
          { type: 'link', path: 'proc/42/ns/net', target: text('net:[4026531840]') },
        ],
        craftedManifest({ pids: [42], failures: [{ pid: 42, file: 'ns/time', code: 'ENOENT' }] }),
      ),
    );
    const resources = new ProcFS({ backend: snapshotBackend(withResources) });
    expect(new TextDecoder().decode(resources.readFile(42, 'smaps_rollup'))).toBe(rollup);
    expect(new TextDecoder().decode(resources.readFile(42, 'limits'))).toBe(limits);
    expect(new TextDecoder().decode(resources.readNamespace(42, 'net'))).toBe('net:[4026531840]');
    // As live: the kernel had no such link.
    expect((errorOf(() => resources.readNamespace(42, 'time')) as ProcfsError).code).toBe('ENOENT');
    // The crafted archive of the other tests is an older capture: none of them.
    for (const read of [
      () => procfs.readFile(42, 'smaps_rollup'),
      () => procfs.readFile(42, 'limits'),
      () => procfs.readNamespace(42, 'net'),
    ]) {
      expect((errorOf(read) as ProcfsError).code).toBe('ENODATA');
    }
  });

  it('replays the capture errors: permission denied where the capture was denied', () => {
    expect(errorOf(() => procfs.readFile(42, 'io'))).toBeInstanceOf(PermissionDeniedError);
    expect(errorOf(() => procfs.readLink(42, 'cwd'))).toBeInstanceOf(PermissionDeniedError);
    expect(errorOf(() => procfs.readNetFile('udp'))).toBeInstanceOf(PermissionDeniedError);
  });

  it('says a process not in the snapshot is gone, and a file it lacks is missing while it lives', () => {
    expect(errorOf(() => procfs.readFile(999, 'stat'))).toBeInstanceOf(ProcessGoneError);
    const lacking = errorOf(() => procfs.readFile(42, 'comm'));
    expect(lacking).toBeInstanceOf(ProcfsError);
    expect(lacking).not.toBeInstanceOf(ProcessGoneError);
    expect((lacking as ProcfsError).message).toMatch(/process 42 is alive but has no such file/);
  });

  it('lists pids, threads and descriptors, and gives the process state', () => {
    expect(procfs.listPids()).toEqual([42]);
    expect(procfs.listTasks(42)).toEqual([42, 43]);
    expect(procfs.listFds(42).map((entry) => [entry.fd, entry.error?.code])).toEqual([
      [0, undefined],
      [3, undefined],
      [4, undefined],
      [5, 'EACCES'],
    ]);
    expect(procfs.processState(42)).toBe('alive');
    expect(procfs.readExe(42)).toEqual({
      path: text('/usr/bin/crafted'),
      deleted: false,
      verified: true,
    });
  });
});

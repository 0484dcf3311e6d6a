// A child with known arguments, environment, cwd, a held file and a listener, captured, read
// back and read through procfs over the snapshot: the process model gives what it gave live.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { encodeText } from '@procmon/parse';
import { Process, scanProcesses } from '@procmon/process';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test-support/processes.js';
import { cleanup, type KnownChild, RAW_ARG, SECRET, startKnownChild } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { captureSnapshot } from './capture.js';
import { REDACTED } from './redact.js';
import { snapshotBackend } from './snapshot-backend.js';
import type { Snapshot } from './tree.js';

afterAll(cleanup);

let child: KnownChild;
let archive: Uint8Array;
let snapshot: Snapshot;
let offline: ProcFS;
const live = new ProcFS();

beforeAll(async () => {
  child = await startKnownChild();
  archive = await captureSnapshot({ pids: [child.pid, process.pid], env: true });
  snapshot = await readSnapshot(archive);
  offline = new ProcFS({ backend: snapshotBackend(snapshot) });
});

describe('the manifest', () => {
  it('names the processes captured and the facts of this machine', () => {
    const { manifest } = snapshot;
    expect(manifest.pids).toEqual([child.pid, process.pid]);
    expect(manifest.vanished).toEqual([]);
    expect(manifest).toMatchObject(live.machineFacts());
    expect(manifest.environ.captured).toBe(true);
  });

  it('names a process that was asked for but does not exist as vanished, with no files', async () => {
    const gone = await readSnapshot(await captureSnapshot({ pids: [child.pid, 4_194_304] }));
    expect(gone.manifest.pids).toEqual([child.pid]);
    expect(gone.manifest.vanished).toEqual([4_194_304]);
    expect(gone.proc.entries.has('4194304')).toBe(false);
    // Without `env`, no environ is captured at all.
    expect(gone.proc.entries.get(String(child.pid))).toMatchObject({ kind: 'folder' });
    const folder = gone.proc.entries.get(String(child.pid));
    expect(folder?.kind === 'folder' && folder.entries.has('environ')).toBe(false);
  });
});

describe('names and resources', () => {
  it("keeps the resolver's names for the ids the capture saw: the processes' and the tables' owners", async () => {
    const asked: { uids: readonly number[]; gids: readonly number[] }[] = [];
    const named = await readSnapshot(
      await captureSnapshot({
        pids: [child.pid],
        names: (ids) => {
          asked.push(ids);
          return {
            users: new Map(ids.uids.map((uid) => [uid, `user-${uid}`])),
            groups: new Map([[ids.gids[0] as number, 'first-group']]),
          };
        },
      }),
    );
    const uid = process.getuid?.() as number;
    const gid = process.getgid?.() as number;
    expect(asked).toHaveLength(1);
    expect(asked[0]?.uids).toContain(uid);
    expect(asked[0]?.gids).toContain(gid);
    expect(named.manifest.users?.[String(uid)]).toBe(`user-${uid}`);
    expect(Object.keys(named.manifest.groups ?? {})).toEqual([String(asked[0]?.gids[0])]);
    // Without a resolver the manifest names no one.
    expect(snapshot.manifest.users).toBeUndefined();
  });

  it('holds smaps_rollup, limits and the namespace links, as live, read through the model', () => {
    const liveResources = Process.open(child.pid, { procfs: live }).resources();
    const offlineResources = Process.open(child.pid, { procfs: offline }).resources();
    expect(offlineResources.failures).toEqual([]);
    expect(offlineResources.namespaces).toEqual(liveResources.namespaces);
    expect(offlineResources.namespaces?.net).toBe(
      Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${child.pid}/ns/net`))?.[1]),
    );
    expect(offlineResources.limits).toEqual(liveResources.limits);
    expect(offlineResources.memory?.ussBytes).toBeGreaterThan(0);
  });
});

describe('the process model over the snapshot', () => {
  it('gives the same details as live: path, args, cwd, comm; the environment redacted', () => {
    const liveDetails = Process.open(child.pid, { procfs: live }).details();
    const offlineProcess = Process.open(child.pid, { procfs: offline });
    const offlineDetails = offlineProcess.details();
    expect(offlineDetails.path).toBe(process.execPath);
    expect(offlineDetails.path).toBe(liveDetails.path);
    expect(offlineDetails.args).toEqual(liveDetails.args);
    expect(encodeText(offlineDetails.args?.[3] ?? '')).toEqual(new Uint8Array(RAW_ARG));
    expect(offlineDetails.cwd).toBe(liveDetails.cwd);
    expect(encodeText(offlineDetails.cwd ?? '')).toEqual(new Uint8Array(child.cwd));
    expect(offlineDetails.comm).toBe(liveDetails.comm);
    expect(liveDetails.environ?.get('SECRET_TOKEN')).toBe(SECRET);
    expect(offlineDetails.environ?.get('SECRET_TOKEN')).toBe(REDACTED);
    expect(offlineDetails.environ?.get('PLAIN')).toBe('visible');
    expect(offlineDetails.environ?.size).toBe(liveDetails.environ?.size);
    expect(offlineProcess.startTime).toBe(Process.open(child.pid, { procfs: live }).startTime);
    expect(offlineProcess.ppid).toBe(Process.open(child.pid, { procfs: live }).ppid);
    expect(offlineProcess.ppid).toBe(process.pid);
  });

  it('gives the same async details as sync', async () => {
    const process_ = await Process.openAsync(child.pid, { procfs: offline });
    expect(await process_.detailsAsync()).toEqual(process_.details());
  });

  it('gives the same scan row as live for the child', () => {
    const fields = ['path', 'args', 'cwd', 'uids', 'status'] as const;
    const liveRow = scanProcesses({ procfs: live, fields }).find((row) => row.pid === child.pid);
    const offlineRows = scanProcesses({ procfs: offline, fields });
    expect(offlineRows.map((row) => row.pid).sort()).toEqual([child.pid, process.pid].sort());
    const offlineRow = offlineRows.find((row) => row.pid === child.pid);
    expect(liveRow).toBeDefined();
    // What the row says of the process; `readAt` is when this machine read it, and the stat's
    // counters (CPU times) move on between the live scan and the capture.
    const keys = [
      'pid',
      'ppid',
      'comm',
      'startTime',
      'path',
      'pathSource',
      'deleted',
      'kernelThread',
      'args',
      'command',
      'cwd',
      'uids',
    ] as const;
    const pick = (row: typeof liveRow) => Object.fromEntries(keys.map((key) => [key, row?.[key]]));
    expect(pick(offlineRow)).toEqual(pick(liveRow));
    expect(offlineRow?.args?.[1]).toBe('-e');
    expect(offlineRow?.status?.fields.get('Name')).toBe(liveRow?.status?.fields.get('Name'));
  });

  it('lists the descriptors with their exact targets: the held file, the listening socket', () => {
    const targets = new Map(
      offline.listFds(child.pid).map((entry) => [entry.fd, Buffer.from(entry.target)]),
    );
    expect(targets.get(7)).toEqual(child.held);
    const liveSockets = live.run(live.flows.processSockets(child.pid)).sockets;
    const offlineSockets = offline.run(offline.flows.processSockets(child.pid)).sockets;
    expect(offlineSockets).toEqual(liveSockets);
    // The listener's row is in the captured TCP table: its inode, on the port the child said.
    const table = new TextDecoder().decode(offline.readNetFile('tcp'));
    const port = child.port.toString(16).toUpperCase().padStart(4, '0');
    const row = table
      .split('\n')
      .find((line) => line.includes(`0100007F:${port} 00000000:0000 0A`));
    expect(row).toBeDefined();
    const inodes = offlineSockets.map((socket) => String(socket.inode));
    expect(inodes).toContain(row?.trim().split(/\s+/)[9]);
  });
});

describe('a snapshot of the whole machine', () => {
  it('gives a scan row and details for every process it holds, kernel threads and others included', async () => {
    const whole = await readSnapshot(await captureSnapshot());
    const procfs = new ProcFS({ backend: snapshotBackend(whole) });
    const rows = scanProcesses({ procfs, fields: ['path', 'args', 'cwd', 'uids'] });
    expect(rows.map((row) => row.pid).sort((a, b) => a - b)).toEqual(
      [...whole.manifest.pids].sort((a, b) => a - b),
    );
    expect(rows.find((row) => row.pid === child.pid)?.args?.[4]).toBe('two words');
    // Kernel threads (children of kthreadd, pid 2) are told as such offline too.
    const kernel = rows.filter((row) => row.ppid === 2);
    expect(kernel.length).toBeGreaterThan(0);
    expect(kernel.every((row) => row.kernelThread === true)).toBe(true);
    for (const pid of whole.manifest.pids) {
      const details = Process.open(pid, { procfs }).details();
      expect(details.pid).toBe(pid);
    }
  });
});

describe('the archive, read with the system tar', () => {
  it('lists the manifest first, the files, and links as links', () => {
    const listing = execFileSync('tar', ['-tzvf', '-'], { input: archive }).toString('latin1');
    const lines = listing.trim().split('\n');
    expect(lines[0]).toMatch(/ manifest\.json$/);
    expect(listing).toMatch(new RegExp(`\\n-r--r--r-- .* proc/${child.pid}/cmdline\\n`));
    expect(listing).toMatch(
      new RegExp(`\\nlrwxrwxrwx .* proc/${child.pid}/exe -> ${process.execPath}\\n`),
    );
    expect(listing).toMatch(new RegExp(`\\nlrwxrwxrwx .* proc/${child.pid}/fd/7 -> `));
  });

  it('extracts a non-UTF-8 link target byte for byte', () => {
    const folder = tempFolder('procmon-snapshot-extract-');
    execFileSync(
      'tar',
      ['-xzf', '-', '-C', folder, `proc/${child.pid}/cwd`, `proc/${child.pid}/fd/7`],
      {
        input: archive,
      },
    );
    expect(readlinkSync(`${folder}/proc/${child.pid}/cwd`, { encoding: 'buffer' })).toEqual(
      child.cwd,
    );
    expect(readlinkSync(`${folder}/proc/${child.pid}/fd/7`, { encoding: 'buffer' })).toEqual(
      child.held,
    );
  });

  it('holds the environment with the secret replaced, and the rest byte for byte', () => {
    const folder = snapshot.proc.entries.get(String(child.pid));
    const environ = folder?.kind === 'folder' ? folder.entries.get('environ') : undefined;
    expect(environ?.kind).toBe('file');
    const text = Buffer.from(environ?.kind === 'file' ? environ.data : []).toString('latin1');
    expect(text).toBe(`SECRET_TOKEN=${REDACTED}\u0000PLAIN=visible\u0000`);
    expect(Buffer.from(archive).includes(SECRET)).toBe(false);
  });
});

// What the diff panel lists for a diffSnapshots result written out by hand: every group with its
// lines as expected text, processes that open their details exactly those of the after-snapshot
// (same pid and start time), checksums said to be not compared rather than shown as none changed,
// and a process's own strings left as they are (the view escapes them).
import type { DiffProcess, DiffSocket, SnapshotDiff } from '@procmon/snapshot/read';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUMS_NOT_COMPARED,
  type DiffPart,
  type DiffSection,
  diffSections,
  itemText,
} from './diff-model.js';

const process = (pid: number, startTime: number, comm: string, args: string[], path?: string) =>
  ({
    pid,
    ppid: 1,
    comm,
    args,
    path,
    startTime,
    startedAt: `2026-12-08T04:00:0${pid % 10}.000Z`,
  }) satisfies DiffProcess;

const nginx = process(700, 9000, 'nginx', ['nginx', '-g', 'daemon off;'], '/usr/sbin/nginx');
const kworker = process(12, 3, 'kworker/0:1', []);
const oldDaemon = process(55, 400, 'mydaemon', ['/opt/mydaemon'], '/opt/mydaemon');
const newDaemon = process(56, 800, 'mydaemon', ['/opt/mydaemon'], '/opt/mydaemon');
const shell = process(90, 100, 'sh', [], '/bin/sh');
const hostile = process(801, 9500, '<b>x</b>\u202e', ['/tmp/a b', '\u0007'], '/tmp/a b');
// In both snapshots, holding a listener that is gone.
const steady = process(300, 50, 'sshd', ['sshd'], '/usr/sbin/sshd');

const socket = (
  protocol: 'tcp' | 'udp',
  family: 'inet' | 'inet6',
  local: [string, number],
  remote: [string, number],
  state: string,
  holders: DiffProcess[],
): DiffSocket => ({
  protocol,
  family,
  local: { address: local[0], port: local[1] },
  remote: { address: remote[0], port: remote[1] },
  state,
  holders,
});

const diff: SnapshotDiff = {
  before: { takenAt: '2026-12-08T04:00:00.000Z', hostname: 'box' },
  after: { takenAt: '2026-12-08T04:10:00.000Z', hostname: 'box' },
  started: [newDaemon, nginx, hostile],
  gone: [kworker, oldDaemon],
  checksumChanged: [
    {
      kind: 'path',
      path: '/opt/mydaemon',
      algorithm: 'sha256',
      before: ['aa'],
      after: ['bb', 'cc'],
      processesBefore: [oldDaemon],
      processesAfter: [newDaemon],
    },
    {
      kind: 'process',
      path: '/usr/bin/bash',
      pathBefore: '/bin/sh',
      algorithm: 'sha256',
      before: ['dd'],
      after: ['ee'],
      processesBefore: [shell],
      processesAfter: [shell],
    },
  ],
  newListeners: [socket('tcp', 'inet6', ['::', 80], ['::', 0], 'LISTEN', [nginx, hostile])],
  goneListeners: [socket('udp', 'inet', ['0.0.0.0', 53], ['0.0.0.0', 0], 'CLOSE', [steady])],
  newConnections: [
    socket('tcp', 'inet', ['10.0.0.2', 80], ['10.0.0.9', 51000], 'ESTABLISHED', [nginx]),
  ],
  goneConnections: [
    socket('tcp', 'inet', ['10.0.0.2', 22], ['10.0.0.9', 40000], 'ESTABLISHED', []),
  ],
  checksumsCompared: true,
};

/** The after-snapshot holds these (pid:startTime); kworker 12 and the old daemon are gone. */
const afterIdentities = new Set(
  [newDaemon, nginx, hostile, shell, steady].map((p) => `${p.pid}:${p.startTime}`),
);
const inAfter = (p: DiffProcess) => afterIdentities.has(`${p.pid}:${p.startTime}`);

const byId = (sections: DiffSection[], id: string) =>
  sections.find((section) => section.id === id) as DiffSection;
const texts = (section: DiffSection) => section.items.map(itemText);
/** The pids shown as processes in a section, with whether each opens its details. */
const processes = (section: DiffSection) =>
  section.items.flatMap((item) =>
    item.parts.flatMap((part: DiffPart) =>
      typeof part === 'object' && 'process' in part ? [[part.process.pid, part.opens]] : [],
    ),
  );

describe('diffSections', () => {
  const sections = diffSections(diff, inAfter);

  it('lists every group of the diff, in order', () => {
    expect(sections.map((section) => [section.id, section.title, section.items.length])).toEqual([
      ['started', 'Started', 3],
      ['gone', 'Gone', 2],
      ['checksum-changed', 'Checksums changed', 2],
      ['new-listeners', 'New listeners', 1],
      ['gone-listeners', 'Gone listeners', 1],
      ['new-connections', 'New connections', 1],
      ['gone-connections', 'Gone connections', 1],
    ]);
  });

  it('shows started and gone processes with their command and start, only the started opening', () => {
    const started = byId(sections, 'started');
    expect(started.items.map((item) => item.pid)).toEqual([56, 700, 801]);
    expect(texts(started)).toEqual([
      '56 mydaemon /opt/mydaemon started 2026-12-08T04:00:06.000Z',
      '700 nginx nginx -g daemon off; started 2026-12-08T04:00:00.000Z',
      // Raw here: the view escapes it.
      '801 <b>x</b>\u202e /tmp/a b \u0007 started 2026-12-08T04:00:01.000Z',
    ]);
    expect(processes(started)).toEqual([
      [56, true],
      [700, true],
      [801, true],
    ]);
    const gone = byId(sections, 'gone');
    // A kernel thread has no args and no path: its command is empty.
    expect(texts(gone)).toEqual([
      '12 kworker/0:1  started 2026-12-08T04:00:02.000Z',
      '55 mydaemon /opt/mydaemon started 2026-12-08T04:00:05.000Z',
    ]);
    expect(processes(gone)).toEqual([
      [12, false],
      [55, false],
    ]);
  });

  it('shows a rewritten binary and an exec with their digests and processes', () => {
    const changed = byId(sections, 'checksum-changed');
    expect(changed.notCompared).toBeUndefined();
    expect(texts(changed)).toEqual([
      '/opt/mydaemon rewritten: sha256 aa -> bb, cc; run before by 55 mydaemon; run now by 56 mydaemon',
      '90 sh now runs /usr/bin/bash, before /bin/sh, sha256 dd -> ee',
    ]);
    expect(processes(changed)).toEqual([
      [55, false],
      [56, true],
      [90, true],
    ]);
  });

  it('shows sockets with their ends, state and holders; a holder still running opens', () => {
    expect(texts(byId(sections, 'new-listeners'))).toEqual([
      `tcp6 [::]:80 LISTEN held by 700 nginx, 801 <b>x</b>\u202e`,
    ]);
    expect(texts(byId(sections, 'gone-listeners'))).toEqual([
      'udp 0.0.0.0:53 CLOSE held by 300 sshd',
    ]);
    // sshd still runs in the after-snapshot: its details can be opened.
    expect(processes(byId(sections, 'gone-listeners'))).toEqual([[300, true]]);
    expect(texts(byId(sections, 'new-connections'))).toEqual([
      'tcp 10.0.0.2:80 -> 10.0.0.9:51000 ESTABLISHED held by 700 nginx',
    ]);
    expect(texts(byId(sections, 'gone-connections'))).toEqual([
      'tcp 10.0.0.2:22 -> 10.0.0.9:40000 ESTABLISHED held by no captured process',
    ]);
  });

  it('says checksums were not compared instead of showing none changed', () => {
    const uncompared = diffSections(
      { ...diff, checksumChanged: [], checksumsCompared: false },
      inAfter,
    );
    const changed = byId(uncompared, 'checksum-changed');
    expect(changed.notCompared).toBe(CHECKSUMS_NOT_COMPARED);
    expect(changed.items).toEqual([]);
    expect(byId(sections, 'checksum-changed').notCompared).toBeUndefined();
  });

  it('does not open a process whose pid the after-snapshot gives to another (pid reused)', () => {
    const reused = process(700, 1, 'old-nginx', ['nginx']);
    const [started] = diffSections({ ...diff, started: [reused] }, inAfter);
    expect(processes(started as DiffSection)).toEqual([[700, false]]);
  });
});

// A procfs Backend that answers every op from a Snapshot, so the whole process model runs
// offline: `new ProcFS({ backend: snapshotBackend(snapshot) })`. Pure (no node:*; only types
// from procfs). Machine facts come from the manifest: the captured machine's, not this one's.
//
// What each op gives (the README has the table):
// - a path that was never there (a pid not captured, a descriptor not open, a thread not
//   listed) is ENOENT, as node:fs says it;
// - a read that failed during the capture gives the errno it gave then (the manifest's
//   `failures`): EACCES for another user's fd/, ENOENT for a kernel thread's exe;
// - what the snapshot does not hold (a file it never captures such as `mem` or `fdinfo/`, a
//   file an older capture did not read such as `smaps_rollup`, a thread's own files, environ
//   captured without `env`, the file behind a link) is ENODATA;
// - links are data: a path that goes on through a link (`<pid>/root/usr/bin/x`) is ENODATA,
//   never followed; `stat` of a link (which follows it) is ENODATA too.
import type {
  Backend,
  FileStat,
  LinkEntries,
  MachineFacts,
  Op,
  Outcome,
  SocketDescriptors,
} from '@procmon/procfs';
import { FIRST_PROCESS_FILES, PROCESS_FOLDERS, PROCESS_LINKS } from './captured-files.js';
import type { SnapshotFailure } from './manifest.js';
import { lookup, type Snapshot, type SnapshotFolder, type SnapshotNode } from './tree.js';

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, 'no such file or directory'],
  EACCES: [-13, 'permission denied'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  EINVAL: [-22, 'invalid argument'],
  EFBIG: [-27, 'file too large'],
  ENODATA: [-61, 'no data available'],
};

const SYSCALL: Record<Op['kind'], string> = {
  read: 'open',
  readlink: 'readlink',
  readdir: 'scandir',
  links: 'scandir',
  stat: 'stat',
  ranges: 'open',
  sockets: 'scandir',
};

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const latin1 = new TextDecoder('latin1');

/** A Backend over a snapshot (see the module comment for what each op gives). */
export function snapshotBackend(snapshot: Snapshot): Backend {
  const failures = failureIndex(snapshot.manifest.failures);
  const failuresIn = failuresByFolder(failures);
  const environCaptured = snapshot.manifest.environ.captured;
  const takenMs = Date.parse(snapshot.manifest.takenAt) || 0;
  const takenNs = BigInt(takenMs) * 1_000_000n;
  const machineFacts: MachineFacts = {
    pageSize: snapshot.manifest.pageSize,
    clockTicks: snapshot.manifest.clockTicks,
    bootTimeSeconds: snapshot.manifest.bootTimeSeconds,
    // "Now" for this data: ages and lifetime percents count to the capture, not to the reader's
    // clock. Its uptime file, else the boot time's whole second counted to takenAt.
    capturedAt: {
      wallMs: takenMs,
      uptimeSeconds:
        capturedUptime(snapshot) ?? Math.max(0, takenMs / 1000 - snapshot.manifest.bootTimeSeconds),
    },
  };

  /** An errno-coded error as node:fs makes it (code, errno, syscall, path). */
  const fsError = (code: string, op: Op, root: string, why?: string): Error => {
    const [errno, text] = ERRNO[code] ?? [-5, 'i/o error'];
    const shown = `${root === '/' ? '' : root}/${pathText(op.path)}`;
    const message = `${code}: ${text}${why ? ` (${why})` : ''}, ${SYSCALL[op.kind]} '${shown}'`;
    return Object.assign(new Error(message), {
      code,
      errno,
      syscall: SYSCALL[op.kind],
      path: shown,
    });
  };

  /** Why nothing is at `path`: the capture's failure, ENOENT, or ENODATA (not captured). */
  const missing = (path: string): { code: string; why?: string } => {
    const segments = path.split('/');
    const pid = /^[1-9][0-9]*$/.test(segments[0] as string) ? segments[0] : undefined;
    if (pid === undefined) {
      const failed = failures.get(`/${path}`);
      return failed ? { code: failed } : { code: 'ENODATA', why: 'not in the snapshot' };
    }
    if (!snapshot.proc.entries.has(pid)) return { code: 'ENOENT' };
    const rest = segments.slice(1);
    for (let end = rest.length; end > 0; end--) {
      const failed = failures.get(`${pid}/${rest.slice(0, end).join('/')}`);
      if (failed) return { code: failed };
    }
    const [first, second, third] = rest;
    const listed =
      (first === 'fd' || first === 'task') && second !== undefined && third === undefined;
    const captured = CAPTURED.has(first ?? '') || (first === 'environ' && environCaptured);
    if ((captured && rest.length === 1) || listed) return { code: 'ENOENT' };
    return { code: 'ENODATA', why: 'not in the snapshot' };
  };

  const perform = (op: Op, root: string): Outcome => {
    const path = pathText(op.path);
    const at = lookup(snapshot.proc, path);
    const fail = (code: string, why?: string): Outcome => ({
      ok: false,
      error: fsError(code, op, root, why),
    });
    if (at.found === undefined) {
      if (at.through?.kind === 'link')
        return fail('ENODATA', 'a link in a snapshot is not followed');
      if (at.through?.kind === 'file') return fail('ENOTDIR');
      const { code, why } = missing(path);
      return fail(code, why);
    }
    const node = at.found;
    switch (op.kind) {
      case 'read':
        if (node.kind === 'folder') return fail('EISDIR');
        if (node.kind === 'link')
          return fail('ENODATA', 'the file behind a link is not in the snapshot');
        if (node.data.length > op.maxBytes)
          return fail('EFBIG', `larger than the ${op.maxBytes}-byte cap`);
        return { ok: true, value: node.data.slice() };
      case 'readlink':
        return node.kind === 'link' ? { ok: true, value: node.target.slice() } : fail('EINVAL');
      case 'readdir':
        return node.kind === 'folder'
          ? { ok: true, value: [...node.entries.keys()] }
          : notFolder(node, fail);
      case 'links':
        return node.kind === 'folder'
          ? { ok: true, value: linkEntries(node, path, (code) => fsError(code, op, root)) }
          : notFolder(node, fail);
      case 'stat': {
        if (node.kind === 'link')
          return fail('ENODATA', 'the file behind a link is not in the snapshot');
        if (node.kind === 'file')
          return { ok: true, value: fileStat(S_IFREG | 0o444, 0, BigInt(node.data.length)) };
        const uid = ownerOf(path);
        return uid === undefined
          ? fail('ENODATA', 'its owner is not in the snapshot')
          : { ok: true, value: fileStat(S_IFDIR | 0o555, uid, 0n) };
      }
      case 'ranges':
        return fail('ENODATA', 'process memory is not in a snapshot');
      case 'sockets':
        return sockets(path, node, (code, why) => fail(code, why));
    }
  };

  const fileStat = (mode: number, uid: number, size: bigint): FileStat => ({
    dev: 0n,
    ino: 0n,
    nlink: 1n,
    mode,
    uid,
    size,
    mtimeNs: takenNs,
    ctimeNs: takenNs,
  });

  /** The owner of a folder: a process's (and its threads') is its effective uid, from status. */
  const ownerOf = (path: string): number | undefined => {
    const pid = /^([1-9][0-9]*)(\/task(\/[1-9][0-9]*)?)?$/.exec(path)?.[1];
    if (pid === undefined) return 0;
    const status = lookup(snapshot.proc, `${pid}/status`).found;
    if (status?.kind !== 'file') return undefined;
    return effectiveUid(latin1.decode(status.data));
  };

  /** A folder's entries with link targets, and the descriptors whose readlink failed. */
  const linkEntries = (
    folder: SnapshotFolder,
    path: string,
    error: (code: string) => Error,
  ): LinkEntries => {
    const names: string[] = [];
    const targets: LinkEntries['targets'] = [];
    for (const [name, node] of folder.entries) {
      names.push(name);
      targets.push(node.kind === 'link' ? latin1.decode(node.target) : error('EINVAL'));
    }
    for (const [name, code] of failuresIn.get(path) ?? []) {
      names.push(name);
      targets.push(error(code));
    }
    return { names, targets, vanished: false };
  };

  const sockets = (
    path: string,
    node: SnapshotNode,
    fail: (code: string, why?: string) => Outcome,
  ): Outcome => {
    if (node.kind !== 'folder' || !/^[1-9][0-9]*$/.test(path)) return fail('ENOTDIR');
    const stat = node.entries.get('stat');
    const uid = ownerOf(path);
    if (stat?.kind !== 'file' || uid === undefined) return fail('ENODATA', 'not in the snapshot');
    const fd = node.entries.get('fd');
    if (fd?.kind !== 'folder') {
      const { code, why } = missing(`${path}/fd`);
      return fail(code, why);
    }
    const found: SocketDescriptors['sockets'] = [];
    for (const [name, entry] of fd.entries) {
      if (entry.kind !== 'link' || !/^(0|[1-9][0-9]*)$/.test(name)) continue;
      const inode = socketInode(latin1.decode(entry.target));
      if (inode !== undefined) found.push({ fd: Number(name), inode });
    }
    const denied = (failuresIn.get(`${path}/fd`)?.length ?? 0) > 0;
    const value: SocketDescriptors = {
      sockets: found,
      stat: stat.data.slice(),
      uid,
      vanished: false,
      denied,
    };
    return { ok: true, value };
  };

  return {
    name: 'snapshot',
    machineFacts,
    perform,
    performAsync: async (op, root) => perform(op, root),
  };
}

function notFolder(node: SnapshotNode, fail: (code: string, why?: string) => Outcome): Outcome {
  return node.kind === 'link'
    ? fail('ENODATA', 'a link in a snapshot is not followed')
    : fail('ENOTDIR');
}

/** What every capture reads of a process: absent means absent live too (ENOENT). */
const CAPTURED = new Set([...FIRST_PROCESS_FILES, ...PROCESS_LINKS, ...PROCESS_FOLDERS]);

/** The failures of entries of each folder (`42/fd` → [['5', 'EACCES']]), for listings. */
function failuresByFolder(failures: Map<string, string>): Map<string, [string, string][]> {
  const index = new Map<string, [string, string][]>();
  for (const [path, code] of failures) {
    const slash = path.lastIndexOf('/');
    if (slash <= 0) continue;
    const folder = path.slice(0, slash);
    const entries = index.get(folder) ?? [];
    entries.push([path.slice(slash + 1), code]);
    index.set(folder, entries);
  }
  return index;
}

/** Failures by path: `<pid>/<file>`, or `/<file>` for a machine file. */
function failureIndex(failures: readonly SnapshotFailure[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const failure of failures) {
    index.set(
      failure.pid === undefined ? `/${failure.file}` : `${failure.pid}/${failure.file}`,
      failure.code,
    );
  }
  return index;
}

/** An op's path as text (a path of bytes, one character per byte). */
function pathText(path: string | Uint8Array): string {
  return typeof path === 'string' ? path : latin1.decode(path);
}

/** The effective uid: the second number of status's `Uid:` line (real, effective, saved, fs). */
function effectiveUid(status: string): number | undefined {
  const match = /(?:^|\n)Uid:\t[0-9]+\t([0-9]{1,10})\t/.exec(status);
  const uid = match ? Number(match[1]) : Number.NaN;
  return uid <= 0xffffffff ? uid : undefined;
}

/** The first number of the captured `uptime` (seconds since boot), if it has one. */
function capturedUptime(snapshot: Snapshot): number | undefined {
  const file = lookup(snapshot.proc, 'uptime').found;
  if (file?.kind !== 'file') return undefined;
  const match = /^([0-9]{1,15}(?:\.[0-9]{1,9})?)[ \n]/.exec(
    latin1.decode(file.data.subarray(0, 64)),
  );
  return match ? Number(match[1]) : undefined;
}

/** `socket:[N]` as N; undefined for any other target. */
function socketInode(target: string): number | undefined {
  const match = /^socket:\[([1-9][0-9]{0,15})\]$/.exec(target);
  if (!match) return undefined;
  const inode = Number(match[1]);
  return Number.isSafeInteger(inode) ? inode : undefined;
}

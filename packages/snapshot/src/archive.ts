// A snapshot's bytes (.tar.gz) into a Snapshot, for archives from anywhere: pure (no node:*),
// every cap applied while reading (limits.ts), and every member path checked so that nothing
// lands outside the tree: only `manifest.json` (first), `checksums.json` (second, optional:
// checksums.ts) and paths under `proc/`, no `.`, `..`, empty or absolute segment, no NUL,
// nothing under a link or a file, no member twice.
import { CHECKSUMS_NAME, parseChecksums, type SnapshotChecksums } from './checksums.js';
import { SnapshotError } from './errors.js';
import { gunzipCapped } from './gzip.js';
import { limitsOf, type SnapshotLimits } from './limits.js';
import { MANIFEST_NAME, parseManifest, type SnapshotManifest } from './manifest.js';
import { readTar } from './tar-read.js';
import { newFolder, type Snapshot, type SnapshotFolder, type SnapshotNode } from './tree.js';

const PROC = 'proc';

/**
 * Reads a snapshot archive. Throws a SnapshotError (`member` and `reason` say what was wrong)
 * for anything that is not a well-formed snapshot within the limits.
 */
export async function readSnapshot(bytes: Uint8Array, limits?: SnapshotLimits): Promise<Snapshot> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('a snapshot is read from a Uint8Array');
  const caps = limitsOf(limits);
  const tar = await gunzipCapped(bytes, caps.maxDecompressedBytes);
  return snapshotFromTar(tar, caps);
}

/** The same from the inflated tar stream. */
export function snapshotFromTar(tar: Uint8Array, limits?: SnapshotLimits): Snapshot {
  const caps = limitsOf(limits);
  const proc = newFolder();
  // Folders made because a member was under them, which the archive may still declare itself.
  const implicit = new WeakSet<SnapshotFolder>();
  let manifest: SnapshotManifest | undefined;
  let checksums: SnapshotChecksums | undefined;
  let first = true;
  let second = false;
  for (const member of readTar(tar, caps)) {
    // checksums.json is only ever the member right after the manifest.
    const checksumsNext = second;
    second = false;
    if (first) {
      first = false;
      if (member.path !== MANIFEST_NAME || member.type !== 'file') {
        throw new SnapshotError(
          `the first member is ${member.path}, not ${MANIFEST_NAME}: not a procmon snapshot`,
          {
            member: member.path,
            reason: 'manifest',
          },
        );
      }
      manifest = parseManifest(member.data);
      second = true;
      continue;
    }
    if (checksumsNext && member.path === CHECKSUMS_NAME && member.type === 'file') {
      checksums = parseChecksums(member.data, (manifest as SnapshotManifest).pids);
      continue;
    }
    const segments = checkedSegments(member.path, member.type === 'folder');
    if (segments.length === 0) {
      if (member.type !== 'folder') throw unsafe(member.path, `${PROC} must be a folder`);
      continue;
    }
    const name = segments.pop() as string;
    let folder = proc;
    for (const segment of segments) {
      const next: SnapshotNode | undefined = folder.entries.get(segment);
      if (next === undefined) {
        const made = newFolder();
        implicit.add(made);
        folder.entries.set(segment, made);
        folder = made;
      } else if (next.kind === 'folder') folder = next;
      else
        throw unsafe(
          member.path,
          `it goes on under ${segment}, which is a ${next.kind}, not a folder`,
        );
    }
    const existing = folder.entries.get(name);
    if (existing !== undefined) {
      if (member.type === 'folder' && existing.kind === 'folder' && implicit.has(existing)) {
        implicit.delete(existing);
        continue;
      }
      throw new SnapshotError(`member ${member.path} appears twice`, {
        member: member.path,
        reason: 'duplicate-member',
      });
    }
    folder.entries.set(
      name,
      member.type === 'file'
        ? { kind: 'file', data: member.data }
        : member.type === 'link'
          ? { kind: 'link', target: member.target }
          : newFolder(),
    );
  }
  if (manifest === undefined) {
    throw new SnapshotError(`the archive is empty: no ${MANIFEST_NAME}`, { reason: 'manifest' });
  }
  checkProcessFolders(manifest, proc);
  return checksums === undefined ? { manifest, proc } : { manifest, checksums, proc };
}

/**
 * Every process folder is one of the manifest's `pids` (listed once) and names no other pid in
 * its stat or status: a capture writes them so, and a folder the manifest does not list, or one
 * whose stat says another pid, would have every command tell of a process that was not there.
 * A listed pid without a folder is left to the readers (it reads as not captured).
 */
function checkProcessFolders(manifest: SnapshotManifest, proc: SnapshotFolder): void {
  const { pids } = manifest;
  const latest = Date.parse(manifest.takenAt) / 1000 + CLOCK_SLACK_SECONDS;
  const listed = new Set<string>();
  for (const pid of pids) {
    if (listed.has(String(pid))) throw inconsistent(MANIFEST_NAME, `its pids list ${pid} twice`);
    listed.add(String(pid));
  }
  for (const [name, folder] of proc.entries) {
    if (!/^[0-9]+$/.test(name)) continue;
    const where = `${PROC}/${name}`;
    if (!listed.has(name))
      throw inconsistent(where, "a process folder the manifest's pids do not list");
    if (folder.kind !== 'folder') throw inconsistent(where, `it is a ${folder.kind}, not a folder`);
    const stat = folder.entries.get('stat');
    const statText = stat?.kind === 'file' ? headText(stat.data) : undefined;
    const statPid = statText === undefined ? name : /^([0-9]+) \(/.exec(statText)?.[1];
    if (statPid !== undefined && statPid !== name)
      throw inconsistent(`${where}/stat`, `it is the stat of pid ${statPid}, not ${name}`);
    const ticks = statText === undefined ? undefined : startTicks(statText);
    if (ticks !== undefined && manifest.bootTimeSeconds + ticks / manifest.clockTicks > latest) {
      throw inconsistent(
        `${where}/stat`,
        `its start time (tick ${ticks}) is after the snapshot was taken (${manifest.takenAt})`,
      );
    }
    const status = folder.entries.get('status');
    const statusPid =
      status?.kind === 'file' ? /(?:^|\n)Pid:\t([0-9]+)\n/.exec(headText(status.data))?.[1] : name;
    if (statusPid !== undefined && statusPid !== name)
      throw inconsistent(`${where}/status`, `it is the status of pid ${statusPid}, not ${name}`);
    for (const sub of ['fd', 'task', 'ns']) {
      const node = folder.entries.get(sub);
      if (node !== undefined && node.kind !== 'folder')
        throw inconsistent(`${where}/${sub}`, `it is a ${node.kind}, not a folder`);
    }
  }
}

/**
 * How far past takenAt a start may seem: boot time is whole seconds, and a clock stepped after
 * boot moves it. Past that a start is a lie, and dates past the year 275760 throw in Date.
 */
export const CLOCK_SLACK_SECONDS = 60;

/** A stat's start time in ticks (the 22nd field), when it is a number. */
function startTicks(stat: string): number | undefined {
  const field = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return field !== undefined && /^[0-9]{1,20}$/.test(field) ? Number(field) : undefined;
}

/**
 * The start of a file as text, a character per byte (the fields checked are ASCII, in its first
 * lines). Not TextDecoder: its per-call cost made these checks a quarter of reading 40000 processes.
 */
const headText = (data: Uint8Array): string => String.fromCharCode(...data.subarray(0, 4096));

function inconsistent(member: string, why: string): SnapshotError {
  return new SnapshotError(`member ${member} is refused: ${why}`, {
    member,
    reason: 'inconsistent',
  });
}

/** The segments of a member's path below `proc/`; refuses every path that could escape. */
function checkedSegments(path: string, folder: boolean): string[] {
  if (path.startsWith('/')) throw unsafe(path, 'it is absolute');
  if (path.includes('\u0000')) throw unsafe(path, 'it holds a NUL');
  const trimmed = folder && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw unsafe(path, `it has a ${segment === '' ? 'empty' : `"${segment}"`} segment`);
    }
  }
  if (segments[0] !== PROC) throw unsafe(path, `it is neither ${MANIFEST_NAME} nor under ${PROC}/`);
  return segments.slice(1);
}

function unsafe(member: string, why: string): SnapshotError {
  return new SnapshotError(`member ${member} is refused: ${why}`, {
    member,
    reason: 'unsafe-path',
  });
}

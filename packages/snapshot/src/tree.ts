// A snapshot in memory: its manifest and the tree of what was under /proc, as the archive held
// it. Pure data: links are their target bytes, never resolved.
import type { SnapshotChecksums } from './checksums.js';
import type { SnapshotManifest } from './manifest.js';

export interface SnapshotFile {
  kind: 'file';
  data: Uint8Array;
}

export interface SnapshotLink {
  kind: 'link';
  /** The link's target as the captured machine's kernel gave it, raw bytes. */
  target: Uint8Array;
}

export interface SnapshotFolder {
  kind: 'folder';
  /** Entries in archive order (the order the capture listed them). */
  entries: Map<string, SnapshotNode>;
}

export type SnapshotNode = SnapshotFile | SnapshotLink | SnapshotFolder;

export interface Snapshot {
  manifest: SnapshotManifest;
  /** The binaries' checksums (checksums.json), when the capture computed them. */
  checksums?: SnapshotChecksums | undefined;
  /** What was under the proc root (`proc/` in the archive). */
  proc: SnapshotFolder;
}

/** Where a path (relative to the proc root, `123/fd/4`) leads in the tree. */
export type Lookup =
  | { found: SnapshotNode }
  /** Nothing there; `through` is set when the path goes on past a link or a file. */
  | { found: undefined; through?: SnapshotLink | SnapshotFile };

/** The node at `path` (segments separated by `/`; `''` is the root), links not followed. */
export function lookup(proc: SnapshotFolder, path: string): Lookup {
  let node: SnapshotNode = proc;
  if (path === '') return { found: node };
  for (const segment of path.split('/')) {
    if (node.kind !== 'folder') return { found: undefined, through: node };
    const next: SnapshotNode | undefined = node.entries.get(segment);
    if (next === undefined) return { found: undefined };
    node = next;
  }
  return { found: node };
}

export const newFolder = (): SnapshotFolder => ({ kind: 'folder', entries: new Map() });

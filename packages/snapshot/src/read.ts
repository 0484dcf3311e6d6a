// The part of @procmon/snapshot that runs in a browser (no node:*, nothing of procfs but its
// types): read an archive, serve it to procfs as a backend, and diff two. `@procmon/snapshot/read`.
export { readSnapshot, snapshotFromTar } from './archive.js';
export {
  CHECKSUMS_NAME,
  type ChecksumSourceName,
  type SnapshotChecksums,
  type SnapshotProcessChecksum,
} from './checksums.js';
export {
  type ChecksumChange,
  type DiffEndpoint,
  type DiffProcess,
  type DiffSocket,
  diffSnapshots,
  type SnapshotDiff,
  type SnapshotSide,
} from './diff.js';
export { SnapshotError, type SnapshotErrorDetails, type SnapshotFault } from './errors.js';
export { DEFAULT_LIMITS, type SnapshotLimits } from './limits.js';
export {
  MANIFEST_NAME,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotFailure,
  type SnapshotManifest,
  type SnapshotNames,
} from './manifest.js';
export { REDACTED } from './redact.js';
export { snapshotBackend } from './snapshot-backend.js';
export type { Snapshot, SnapshotFile, SnapshotFolder, SnapshotLink, SnapshotNode } from './tree.js';

export { readSnapshot, snapshotFromTar } from './archive.js';
export { type CaptureOptions, captureSnapshot } from './capture.js';
export { SnapshotError, type SnapshotErrorDetails, type SnapshotFault } from './errors.js';
export { DEFAULT_LIMITS, type SnapshotLimits } from './limits.js';
export {
  MANIFEST_NAME,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotFailure,
  type SnapshotManifest,
} from './manifest.js';
export { DEFAULT_REDACT, REDACTED } from './redact.js';
export { snapshotBackend } from './snapshot-backend.js';
export type { Snapshot, SnapshotFile, SnapshotFolder, SnapshotLink, SnapshotNode } from './tree.js';

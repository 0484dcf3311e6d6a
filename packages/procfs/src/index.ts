export {
  PermissionDeniedError,
  ProcessGoneError,
  ProcfsError,
  type ProcfsErrorDetails,
} from './errors.js';
export type { Executable } from './executable.js';
export type { MachineFacts } from './machine-facts.js';
export {
  type ByteRange,
  type FdEntry,
  type ProcessState,
  ProcFS,
  type ProcFSOptions,
  ProcFSPromises,
  type RangeResult,
  type ReadOptions,
} from './procfs.js';

export {
  PermissionDeniedError,
  ProcessGoneError,
  ProcfsError,
  type ProcfsErrorDetails,
} from './errors.js';
export type { MachineFacts } from './machine-facts.js';
export {
  type FdEntry,
  type ProcessState,
  ProcFS,
  type ProcFSOptions,
  ProcFSPromises,
  type ReadOptions,
} from './procfs.js';

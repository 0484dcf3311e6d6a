export {
  PermissionDeniedError,
  ProcessGoneError,
  ProcfsError,
  type ProcfsErrorDetails,
} from './errors.js';
export type { Executable } from './executable.js';
export { all, external, type Flow } from './flow.js';
export type { FdEntry } from './listings.js';
export type { MachineFacts } from './machine-facts.js';
export { ProcFS, type ProcFSFlows, type ProcFSOptions, ProcFSPromises } from './procfs.js';
export type { ByteRange } from './read-ranges.js';
export type { RangeResult, ReadOptions } from './reads.js';
export type { ProcessState } from './state.js';
export type { FileStat } from './stats.js';

export { type BackendChoice, nativeBackend, procfsBackend } from './backend-choice.js';
export { defaultProcFS, procfsOf } from './default.js';
export {
  PermissionDeniedError,
  ProcessGoneError,
  ProcfsError,
  type ProcfsErrorDetails,
} from './errors.js';
export { statExe } from './exe-stat.js';
export type { Executable } from './executable.js';
export {
  all,
  type Backend,
  done,
  type ExternalStep,
  external,
  type Flow,
  type RunContext,
  type Step,
} from './flow.js';
export type { FdEntry } from './listings.js';
export type { MachineFacts } from './machine-facts.js';
export { nodeBackend } from './node-backend.js';
export { NodeOnlyError } from './node-only-error.js';
export type { FileStat, LinkEntries, Op, Outcome } from './ops.js';
export type { SocketDescriptors } from './process-sockets.js';
export { ProcFS, type ProcFSFlows, type ProcFSOptions, ProcFSPromises } from './procfs.js';
export type { ByteRange } from './read-ranges.js';
export type { NamespaceType, RangeResult, ReadOptions } from './reads.js';
export type { ProcessState } from './state.js';

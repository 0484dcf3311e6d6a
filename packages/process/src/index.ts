// The errors and types this package's API throws and takes, so its users need no other import.
export { HashError } from '@procmon/hash';
export {
  Environ,
  type FdTarget,
  type Io,
  type MapsEntry,
  ParseError,
  type Stat,
  type Statm,
  type Status,
} from '@procmon/parse';
export {
  PermissionDeniedError,
  ProcessGoneError,
  ProcFS,
  type ProcFSOptions,
  ProcfsError,
} from '@procmon/procfs';
export { ProcessCache, type ProcessCacheOptions } from './cache.js';
export {
  type ConnectionOwners,
  type ConnectionOwnersOptions,
  connectionOwners,
  connectionOwnersAsync,
  followConnectionIndex,
  type NoOwnerReason,
  sharedHolderIndex,
} from './connection-owners.js';
export {
  type Connection,
  type ConnectionsOptions,
  type ConnectionsReport,
  connections,
  connectionsAsync,
  connectionsReport,
  connectionsReportAsync,
} from './connections.js';
export {
  type CpuSample,
  type CpuTimes,
  cpuPercent,
  cpuPercents,
  cpuSampleOf,
  cpuTimesOf,
  monotonicSeconds,
  sampleSecondsOf,
} from './cpu.js';
export type { Descriptor } from './descriptors.js';
export type { ProcessDetails } from './details.js';
export {
  type FieldFailure,
  type FieldFailureReason,
  fieldFailure,
  PidReusedError,
  ProgramChangedError,
} from './errors.js';
export type { FeedEvent, ProcessEventFeed } from './event-feed.js';
export {
  EXTRA_INFO_FIELDS,
  type ExtraInfo,
  type ExtraInfoField,
  type ExtraInfoOptions,
} from './extra-info.js';
export {
  type HolderLookup,
  type HolderLookupOptions,
  SocketHolderIndex,
} from './holder-index.js';
export { openHolder, openHolderAsync } from './holder-process.js';
export { isKernelThread, KERNEL_CONNECTION, type PathSource, type ResolvedPath } from './path.js';
export { type DetailsOptions, Process, type ProcessNode, type ProcessOptions } from './process.js';
export {
  type ReaderOptions,
  readCmdline,
  readCmdlineAsync,
  readComm,
  readCommAsync,
  readCwd,
  readCwdAsync,
  readEnviron,
  readEnvironAsync,
  readExe,
  readExeAsync,
  readFds,
  readFdsAsync,
  readIo,
  readIoAsync,
  readMaps,
  readMapsAsync,
  readRoot,
  readRootAsync,
  readStack,
  readStackAsync,
  readStat,
  readStatAsync,
  readStatm,
  readStatmAsync,
  readStatus,
  readStatusAsync,
  type StatmReaderOptions,
  type TextReaderOptions,
} from './readers.js';
export type { MemoryShares, Resources } from './resources.js';
export {
  SCAN_FIELDS,
  type ScanField,
  type ScannedProcess,
  type ScanOptions,
  scanProcesses,
  scanProcessesAsync,
} from './scan.js';
export {
  holdersByInode,
  type ProcessSockets,
  type SocketHolder,
  type SocketWalk,
  type SocketWalkOptions,
  socketInodeOf,
  socketWalkFlow,
  walkSockets,
  walkSocketsAsync,
} from './socket-holders.js';
export {
  defaultSocketLookup,
  defaultSocketResolver,
  type SocketInfo,
  type SocketLookup,
} from './sockets.js';
export type { ParentCache, TreeEntry } from './tree.js';

export { ParseError, type ProcFileKind } from './errors.js';
export {
  type FdTarget,
  type FdTargetOptions,
  type FdTargetType,
  formatFdTarget,
  type NamespaceType,
  parseFdTarget,
} from './fd-target.js';
export type { ProcInput } from './input.js';
export { type Io, parseIo } from './io.js';
export {
  type DeviceNumber,
  type MapsEntry,
  type MapsEntryKind,
  type MapsOptions,
  parseMaps,
} from './maps.js';
export {
  type ParseStatOptions,
  parseStat,
  type Stat,
  type StatStartTimeOptions,
  type StatState,
  type StatStateName,
  statStartTime,
} from './stat.js';
export { type ParseStatmOptions, parseStatm, type Statm, type StatmFields } from './statm.js';
export {
  parseStatus,
  type Status,
  type StatusIds,
  type StatusOptions,
  type StatusSignalQueue,
} from './status.js';
export { decodeText, encodeText, hasEscapedBytes, type TextDecoding } from './text.js';

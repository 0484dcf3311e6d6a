export { ParseError, type ProcFileKind } from './errors.js';
export type { ProcInput } from './input.js';
export { type Io, parseIo } from './io.js';
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
export { decodeText, encodeText, hasEscapedBytes, type TextDecoding } from './text.js';

export { type CgroupEntry, type CgroupOptions, parseCgroup } from './cgroup.js';
export {
  type CmdlineBytesOptions,
  type CmdlineOptions,
  parseCmdline,
  parseCmdlineBytes,
  serializeCmdline,
} from './cmdline.js';
export { type CgroupContainer, type ContainerRuntime, containerOf } from './container.js';
export {
  Environ,
  type EnvironEntryBytes,
  type EnvironOptions,
  parseEnviron,
  parseEnvironEntries,
  serializeEnviron,
} from './environ.js';
export { ParseError, type ProcFileKind } from './errors.js';
export { escapeText } from './escape.js';
export {
  type FdTarget,
  type FdTargetOptions,
  type FdTargetType,
  formatFdTarget,
  NAMESPACE_TYPES,
  type NamespaceType,
  parseFdTarget,
} from './fd-target.js';
export { type Fdinfo, type FdinfoLine, parseFdinfo } from './fdinfo.js';
export type { ProcInput } from './input.js';
export { type Io, parseIo } from './io.js';
export { LIMIT_KEYS, type LimitKey, type LimitRow, type Limits, parseLimits } from './limits.js';
export {
  type DeviceNumber,
  type MapsEntry,
  type MapsEntryKind,
  type MapsOptions,
  parseMaps,
} from './maps.js';
export { type Meminfo, parseMeminfo } from './meminfo.js';
export { type NamespaceId, parseNamespaceLink } from './namespace-link.js';
export { formatIPv4, formatIPv6 } from './net-address.js';
export {
  INET_SOCKET_STATE_NAMES,
  type InetFamily,
  type InetProtocol,
  type InetSocketEntry,
  type InetSocketStateName,
  inetSocketStateName,
  type ParseNetInetOptions,
  parseNetInet,
} from './net-inet.js';
export { type NetInodeTable, type ParseNetInodesOptions, parseNetInodes } from './net-inodes.js';
export {
  type ParseNetUnixOptions,
  parseNetUnix,
  UNIX_SOCKET_STATE_NAMES,
  UNIX_SOCKET_TYPE_NAMES,
  type UnixSocketEntry,
  type UnixSocketStateName,
  type UnixSocketTypeName,
} from './net-unix.js';
export { type OpenFlagName, openFlagNames } from './open-flags.js';
export { parseSmapsRollup, type SmapsRollup } from './smaps-rollup.js';
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

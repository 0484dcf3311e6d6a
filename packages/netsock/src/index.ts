export { type BackendChoice, netsockBackend } from './backend.js';
export {
  type ConnectionQuery,
  checkQuery,
  datagramRivals,
  parseAddress,
} from './connection-query.js';
export { listSocketDescriptors, type SocketDescriptor } from './descriptors.js';
export {
  type FormatSocketOptions,
  formatConnection,
  formatSocket,
  unixNameText,
} from './format.js';
export {
  DumpInterruptedError,
  NetlinkError,
  NetlinkParseError,
} from './netlink/errors.js';
export { type InetFamily, TABLE_ORDER, type TableName } from './netlink/tables.js';
export { type DescribedDescriptor, SocketResolver } from './resolver.js';
export type {
  ResolveOptions,
  SocketBackendName,
  SocketEntry,
  SocketFamily,
  SocketProtocol,
  SocketResolverOptions,
  UnixSocketType,
  UnverifiedPart,
} from './types.js';

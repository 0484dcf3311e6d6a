export { type BackendChoice, netsockBackend } from './backend.js';
export { listSocketDescriptors, type SocketDescriptor } from './descriptors.js';
export { type FormatSocketOptions, formatSocket } from './format.js';
export {
  DumpInterruptedError,
  NetlinkError,
  NetlinkParseError,
} from './netlink/errors.js';
export {
  decodeInetMessage,
  encodeInetDiagRequest,
  encodeTcpDiagCompatRequest,
  type InetDiagRequest,
  type InetSocketId,
} from './netlink/inet.js';
export {
  type ExchangeResult,
  encodeRequest,
  exchange,
  type MessageHandler,
  type NetlinkTransport,
  walkAttributes,
} from './netlink/message.js';
export { TABLE_ORDER, type TableName } from './netlink/tables.js';
export { decodeUnixMessage, encodeUnixDiagRequest, type UnixDiagRequest } from './netlink/unix.js';
export { type DescribedDescriptor, type SocketOfProcess, SocketResolver } from './resolver.js';
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

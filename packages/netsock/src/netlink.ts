// `@procmon/netsock/netlink`: the sock_diag codec on its own, for programs that speak netlink
// themselves (build requests, walk replies, decode inet and unix messages). The resolver is the
// package's main entry; this codec is a building block, kept apart so the main surface stays small.

export {
  type MulticastLoss,
  type MulticastOptions,
  type MulticastSubscription,
  openMulticast,
} from './multicast.js';
export { NetlinkError } from './netlink/errors.js';
export {
  decodeInetMessage,
  encodeInetDiagRequest,
  encodeTcpDiagCompatRequest,
  type InetDiagRequest,
  type InetSocketId,
} from './netlink/inet.js';
export { encodeTupleRequest, type TupleRequest } from './netlink/inet-lookup.js';
export {
  type ExchangeOptions,
  type ExchangeResult,
  encodeRequest,
  exchange,
  type MessageHandler,
  type NetlinkTransport,
  walkAttributes,
  walkReply,
} from './netlink/message.js';
export { decodeUnixMessage, encodeUnixDiagRequest, type UnixDiagRequest } from './netlink/unix.js';

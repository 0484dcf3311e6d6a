// The proc connector source: a NETLINK_CONNECTOR socket subscribed to CN_IDX_PROC through
// @procmon/netsock's multicast reader. Placeholder until the reader lands.

import type { EventSink, EventSourceHandle } from '../source.js';

export interface ConnectorSourceOptions {
  /** The socket's receive buffer (SO_RCVBUFFORCE when permitted); 4 MiB unless set. */
  receiveBufferBytes?: number | undefined;
}

/**
 * Subscribes to the kernel's process events. Throws an EventSourceError (errors.ts) (code EPERM without
 * CAP_NET_ADMIN, EPROTONOSUPPORT or ENOENT on a kernel without the connector) when it cannot.
 */
export function openConnectorSource(
  _sink: EventSink,
  _options: ConnectorSourceOptions = {},
): EventSourceHandle {
  throw new Error('openConnectorSource: not built yet');
}

// The proc connector source: a NETLINK_CONNECTOR socket joined to CN_IDX_PROC through
// @procmon/netsock's multicast reader (a native thread that never waits for JS), a LISTEN
// request sent, and what the socket gives handed to stream.ts, which pushes the events and the
// losses to the sink in order.

import { randomInt } from 'node:crypto';
import { constants } from 'node:os';
import { type MulticastSubscription, NetlinkError, openMulticast } from '@procmon/netsock/netlink';
import { EventSourceError } from '../errors.js';
import type { EventSink, EventSourceHandle } from '../source.js';
import { encodeListenRequest, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN } from './listen.js';
import { ConnectorStream } from './stream.js';

const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ConnectorSourceOptions {
  /** The socket's receive buffer (SO_RCVBUFFORCE when permitted); 4 MiB unless set. */
  receiveBufferBytes?: number | undefined;
  /**
   * How many bytes of datagrams the reader thread keeps while JS is busy (64 MiB unless set);
   * past it they are dropped and reported as `lost` with reason `queue-full`.
   */
  queueCapBytes?: number | undefined;
  /**
   * How long (µs) the reader lets the kernel's datagrams gather before it drains them and wakes
   * JS once for all (netsock's `batchDelayMicros`): fewer wake-ups under a fork storm, at the
   * cost of that much delay. 0 unless set.
   */
  batchDelayMicros?: number | undefined;
}

/** The connector source's handle, with what it had to skip. */
export interface ConnectorSourceHandle extends EventSourceHandle {
  readonly kind: 'connector';
  /** Messages skipped as malformed (a length that lies, a field cut): each one a lost event. */
  readonly malformed: number;
}

/**
 * Subscribes to the kernel's process events. Throws an EventSourceError (errors.ts) (code EPERM without
 * CAP_NET_ADMIN, EPROTONOSUPPORT or ENOENT on a kernel without the connector, ENOTSUP without
 * netsock's native addon) when it cannot, a TypeError for a bad option. A LISTEN refused by the
 * kernel (its answer carries an errno) reaches the sink as `fail`.
 */
export function openConnectorSource(
  sink: EventSink,
  options: ConnectorSourceOptions = {},
): ConnectorSourceHandle {
  // The LISTEN's cn_msg.ack, random so that another listener's answer is not taken for ours.
  const listenAck = randomInt(0x7fffffff);
  let closed = false;
  let subscription: MulticastSubscription | undefined;

  const stop = (sendIgnore: boolean) => {
    if (closed) return;
    closed = true;
    if (subscription === undefined) return;
    if (sendIgnore) {
      try {
        const request = { op: PROC_CN_MCAST_IGNORE, portId: subscription.portId, ack: 0 } as const;
        subscription.send(encodeListenRequest(request));
      } catch {
        // Closing anyway: releasing the socket drops it from the listeners too (cn_proc.c).
      }
    }
    subscription.close();
  };
  const fail = (error: Error) => {
    if (closed) return;
    stop(false);
    sink.fail(error);
  };
  const stream = new ConnectorStream(sink, {
    listenAck,
    now: () => process.hrtime.bigint(),
    fail,
    open: () => !closed,
    errnoName,
  });

  try {
    subscription = openMulticast({
      protocol: NETLINK_CONNECTOR,
      groups: [CN_IDX_PROC],
      receiveBufferBytes: options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES,
      queueCapBytes: options.queueCapBytes,
      batchDelayMicros: options.batchDelayMicros,
      // Held to the end of the reader's batch: see ConnectorStream.hold.
      onDatagram: (bytes) => {
        stream.hold();
        stream.datagram(bytes);
      },
      onLoss: (loss) => {
        stream.hold();
        stream.loss(loss);
      },
      onError: (error) => fail(sourceError(error, 'the socket failed')),
    });
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw sourceError(error, 'subscribe');
  }
  try {
    const request = {
      op: PROC_CN_MCAST_LISTEN,
      portId: subscription.portId,
      ack: listenAck,
    } as const;
    subscription.send(encodeListenRequest(request));
  } catch (error) {
    stop(false);
    throw sourceError(error, 'LISTEN');
  }
  const opened = subscription;
  return {
    kind: 'connector',
    get malformed() {
      return stream.malformed;
    },
    close: () => stop(true),
    ref: () => {
      if (!closed) opened.ref();
    },
    unref: () => {
      if (!closed) opened.unref();
    },
  };
}

function sourceError(error: unknown, what: string): EventSourceError {
  const code = error instanceof NetlinkError ? error.code : (error as { code?: unknown })?.code;
  const name = typeof code === 'string' ? code : undefined;
  const why =
    name === 'EPERM'
      ? ' (joining CN_IDX_PROC needs CAP_NET_ADMIN)'
      : name === 'EPROTONOSUPPORT' || name === 'ENOENT'
        ? ' (this kernel has no proc connector: CONFIG_PROC_EVENTS)'
        : '';
  const message = error instanceof Error ? error.message : String(error);
  return new EventSourceError(`proc connector: ${what}: ${message}${why}`, 'connector', name, {
    cause: error,
  });
}

/** `EINVAL` for 22, from Node's table of this platform's errno values. */
function errnoName(errno: number): string {
  const found = Object.entries(constants.errno).find(([, value]) => value === errno);
  return found === undefined ? `E${errno}` : found[0];
}

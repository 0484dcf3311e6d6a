// The proc connector source: a NETLINK_CONNECTOR socket joined to CN_IDX_PROC through
// @procmon/netsock's multicast reader (a native thread that never waits for JS), a LISTEN
// request sent, and every datagram decoded (decode.ts) and pushed to the sink in order, with
// what was lost in its place: an overrun of the socket buffer, a queue full in the reader, or a
// gap in a CPU's numbering (sequence.ts).

import { randomInt } from 'node:crypto';
import { constants } from 'node:os';
import { type MulticastSubscription, NetlinkError, openMulticast } from '@procmon/netsock/netlink';
import { EventSourceError } from '../errors.js';
import type { EventSink, EventSourceHandle } from '../source.js';
import { decodeDatagram, PROC_EVENT } from './decode.js';
import { encodeListenRequest, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN } from './listen.js';
import { SequenceGaps } from './sequence.js';

const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ConnectorSourceOptions {
  /** The socket's receive buffer (SO_RCVBUFFORCE when permitted); 4 MiB unless set. */
  receiveBufferBytes?: number | undefined;
}

/** The connector source's handle, with what it had to skip. */
export interface ConnectorSourceHandle extends EventSourceHandle {
  readonly kind: 'connector';
  /** Messages skipped as malformed (a length that lies, a field cut): each one a lost event. */
  readonly malformed: number;
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

/**
 * Subscribes to the kernel's process events. Throws an EventSourceError (errors.ts) (code EPERM without
 * CAP_NET_ADMIN, EPROTONOSUPPORT or ENOENT on a kernel without the connector, ENOTSUP without
 * netsock's native addon) when it cannot. A LISTEN refused by the kernel (its ack carries an
 * errno) reaches the sink as `fail`.
 */
export function openConnectorSource(
  sink: EventSink,
  options: ConnectorSourceOptions = {},
): ConnectorSourceHandle {
  const receiveBufferBytes = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
  const gaps = new SequenceGaps();
  // The LISTEN's cn_msg.ack: its answer carries this plus one, other listeners' answers not.
  const listenAck = randomInt(0x7fffffff);
  let closed = false;
  let malformed = 0;
  let subscription: MulticastSubscription | undefined;

  const stop = (sendIgnore: boolean) => {
    if (closed) return;
    closed = true;
    if (subscription === undefined) return;
    if (sendIgnore) {
      try {
        const ack = (listenAck + 2) >>> 0;
        subscription.send(
          encodeListenRequest({ op: PROC_CN_MCAST_IGNORE, portId: subscription.portId, ack }),
        );
      } catch {
        // Closing anyway: the socket's release drops the listener count too (cn_proc.c).
      }
    }
    subscription.close();
  };
  const fail = (error: Error) => {
    if (closed) return;
    stop(false);
    sink.fail(error);
  };

  const onDatagram = (bytes: Uint8Array) => {
    const { messages, skipped } = decodeDatagram(bytes);
    for (const skip of skipped) if (skip.malformed) malformed++;
    for (const message of messages) {
      if (closed) return;
      const lost = gaps.skippedBefore(message.cpu, message.seq);
      if (lost > 0) {
        sink.push({
          type: 'lost',
          reason: 'sequence-gap',
          count: lost,
          cpu: message.cpu,
          ...now(),
        });
      }
      if (message.what === PROC_EVENT.NONE) {
        if (message.ack === (listenAck + 1) >>> 0 && message.listenError !== 0) {
          const errno = message.listenError ?? 0;
          const code = errnoName(errno);
          fail(
            new EventSourceError(
              `proc connector: the kernel refused LISTEN (${code})`,
              'connector',
              code,
            ),
          );
        }
        continue;
      }
      if (message.event !== undefined) sink.push(message.event);
    }
  };

  try {
    subscription = openMulticast({
      protocol: NETLINK_CONNECTOR,
      groups: [CN_IDX_PROC],
      receiveBufferBytes,
      onDatagram,
      onLoss: (loss) => {
        if (closed) return;
        if (loss.reason === 'overrun') {
          gaps.reset(); // the numbers skipped now are this overrun's
          sink.push({ type: 'lost', reason: 'overrun', ...now() });
        } else {
          sink.push({ type: 'lost', reason: 'queue-full', count: loss.count, ...now() });
        }
      },
      onError: (error) => fail(sourceError(error, 'the socket failed')),
    });
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw sourceError(error, 'subscribe');
  }
  try {
    subscription.send(
      encodeListenRequest({
        op: PROC_CN_MCAST_LISTEN,
        portId: subscription.portId,
        ack: listenAck,
      }),
    );
  } catch (error) {
    stop(false);
    throw sourceError(error, 'LISTEN');
  }
  const opened = subscription;
  return {
    kind: 'connector',
    get malformed() {
      return malformed;
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

/** A loss has no kernel timestamp: it is stamped when it is noticed, on the same clock. */
function now(): { timestampNs: bigint; source: 'connector' } {
  return { timestampNs: process.hrtime.bigint(), source: 'connector' };
}

/** `EINVAL` for 22, from Node's table of this platform's errno values. */
function errnoName(errno: number): string {
  const found = Object.entries(constants.errno).find(([, value]) => value === errno);
  return found === undefined ? `E${errno}` : found[0];
}

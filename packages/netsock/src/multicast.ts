// A netlink multicast subscription: the kernel's datagrams on some groups of a protocol (the proc
// connector's process events, ...), read off the socket by a native thread that never waits for
// JavaScript (native/multicast.c). What the kernel or the reader had to drop is reported in its
// place among the datagrams, never silently lost.
import { addonError, loadAddon, type MulticastHandle, type NetsockAddon } from './addon.js';
import { NetlinkError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';

/** Datagrams were lost: the kernel's socket buffer overran, or the reader's queue was full. */
export type MulticastLoss = { reason: 'overrun' } | { reason: 'dropped'; count: number };

export interface MulticastOptions {
  /** The netlink protocol (NETLINK_CONNECTOR is 11). */
  protocol: number;
  /** The groups to join, numbered from 1 (group g is bit g-1 of the bind mask), 1..32. */
  groups: number[];
  /** The socket's receive buffer (SO_RCVBUFFORCE when permitted, else SO_RCVBUF); 4 MiB unless set. */
  receiveBufferBytes?: number | undefined;
  /**
   * How many bytes of datagrams the reader keeps while JS has not taken them (64 MiB unless
   * set); past it, datagrams are dropped and counted (`onLoss` with `dropped`).
   */
  queueCapBytes?: number | undefined;
  /**
   * How long (µs, at most 1 s) the reader lets datagrams gather in the socket after the first
   * before it drains them and wakes JS once for all: fewer wake-ups under a burst, at the cost of
   * that much delay. 0 (the default): each drain wakes JS at once.
   */
  batchDelayMicros?: number | undefined;
  /** One datagram of the kernel's, as sent on a subscribed group; a view valid for the call only. */
  onDatagram(bytes: Uint8Array): void;
  onLoss(loss: MulticastLoss): void;
  /** The socket failed (the reader stopped); a NetlinkError with the errno. Thrown when unset. */
  onError?(error: NetlinkError): void;
}

export interface MulticastSubscription {
  /** The socket's netlink port id (a message to the kernel names it as nlmsg_pid). */
  readonly portId: number;
  /** Sends one message to the kernel (port id 0); the byte count. */
  send(bytes: Uint8Array): number;
  /** Stops the reader and closes the socket; nothing is delivered after. Safe to call twice. */
  close(): void;
  /** Keeps Node's event loop alive (the default) or not. */
  ref(): void;
  unref(): void;
}

const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
const DEFAULT_QUEUE_CAP_BYTES = 64 * 1024 * 1024;
const RECORD_DATAGRAM = 0;
const RECORD_OVERRUN = 1;
const RECORD_DROPPED = 2;
const RECORD_FAILED = 3;
const ENOTSUP = 95;

type MulticastAddon = Required<
  Pick<
    NetsockAddon,
    'subscribe' | 'multicastSend' | 'multicastPortId' | 'unsubscribe' | 'refSubscription'
  >
>;

function multicastAddon(addon?: NetsockAddon): MulticastAddon {
  let found = addon;
  if (found === undefined) {
    const loaded = loadAddon();
    if ('error' in loaded)
      throw new NetlinkError(`netlink multicast: ${loaded.error}`, ENOTSUP, 'ENOTSUP');
    found = loaded.addon;
  }
  if (typeof found.subscribe !== 'function') {
    throw new NetlinkError(
      'netlink multicast: the native addon has no multicast reader',
      ENOTSUP,
      'ENOTSUP',
    );
  }
  return found as MulticastAddon;
}

function checkOptions(options: MulticastOptions): {
  mask: number;
  bufferBytes: number;
  queueCapBytes: number;
  batchDelayMicros: number;
} {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('openMulticast: options must be an object');
  }
  const { protocol, groups, receiveBufferBytes } = options;
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 31) {
    throw new TypeError(
      `openMulticast: protocol must be an integer 0..31, not ${String(protocol)}`,
    );
  }
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new TypeError('openMulticast: groups must be a non-empty array of group numbers 1..32');
  }
  let mask = 0;
  for (const group of groups) {
    if (!Number.isInteger(group) || group < 1 || group > 32) {
      throw new TypeError(`openMulticast: groups: ${String(group)} is not a group number 1..32`);
    }
    mask = (mask | (1 << (group - 1))) >>> 0;
  }
  const bufferBytes = receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
  if (!Number.isInteger(bufferBytes) || bufferBytes < 0 || bufferBytes > 0x7fffffff) {
    throw new TypeError(
      `openMulticast: receiveBufferBytes must be an integer 0..2^31-1, not ${String(receiveBufferBytes)}`,
    );
  }
  const queueCapBytes = options.queueCapBytes ?? DEFAULT_QUEUE_CAP_BYTES;
  if (!Number.isInteger(queueCapBytes) || queueCapBytes < 0 || queueCapBytes > 0xffffffff) {
    throw new TypeError(
      `openMulticast: queueCapBytes must be an integer 0..2^32-1, not ${String(options.queueCapBytes)}`,
    );
  }
  const batchDelayMicros = options.batchDelayMicros ?? 0;
  if (!Number.isInteger(batchDelayMicros) || batchDelayMicros < 0 || batchDelayMicros > 1_000_000) {
    throw new TypeError(
      `openMulticast: batchDelayMicros must be an integer 0..1000000, not ${String(options.batchDelayMicros)}`,
    );
  }
  for (const name of ['onDatagram', 'onLoss'] as const) {
    if (typeof options[name] !== 'function') {
      throw new TypeError(`openMulticast: ${name} must be a function`);
    }
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('openMulticast: onError must be a function when given');
  }
  return { mask, bufferBytes, queueCapBytes, batchDelayMicros };
}

/** The kinds of a batch's records, for decodeBatch's caller. */
export interface BatchHandlers {
  onDatagram(bytes: Uint8Array): void;
  onLoss(loss: MulticastLoss): void;
  onFailure(errno: number): void;
  /** Whether to go on (false once closed by a handler). */
  open(): boolean;
}

/**
 * Walks a batch of the reader's records (`[u32 kind][u32 length][bytes padded to 4]`) in order.
 * The records are written by our own C, so a malformed one means a bug: it throws.
 */
export function decodeBatch(batch: ArrayBuffer, handlers: BatchHandlers): void {
  const view = new DataView(batch);
  let at = 0;
  while (at < batch.byteLength && handlers.open()) {
    if (at + 8 > batch.byteLength) throw new RangeError(`multicast batch: a record cut at ${at}`);
    const kind = view.getUint32(at, HOST_LITTLE_ENDIAN);
    const length = view.getUint32(at + 4, HOST_LITTLE_ENDIAN);
    const carried = kind === RECORD_DATAGRAM || kind === RECORD_FAILED ? length : 0;
    const next = at + 8 + ((carried + 3) & ~3);
    if (next > batch.byteLength)
      throw new RangeError(`multicast batch: a record past the end at ${at}`);
    if (kind === RECORD_DATAGRAM) handlers.onDatagram(new Uint8Array(batch, at + 8, length));
    else if (kind === RECORD_OVERRUN) handlers.onLoss({ reason: 'overrun' });
    else if (kind === RECORD_DROPPED) handlers.onLoss({ reason: 'dropped', count: length });
    else if (kind === RECORD_FAILED) handlers.onFailure(view.getUint32(at + 8, HOST_LITTLE_ENDIAN));
    else throw new RangeError(`multicast batch: unknown record kind ${kind} at ${at}`);
    at = next;
  }
}

/**
 * Joins `groups` of netlink `protocol` and hands over the kernel's multicast datagrams in
 * order. Datagrams from any other sender, and unicast ones (sent to our port id), are dropped
 * natively. Throws a NetlinkError: `ENOTSUP` when the native addon is not built, else the
 * errno of the socket call (`EPERM` when joining the groups needs CAP_NET_ADMIN, ...).
 * `addon` is for tests (a fake); the built one by default.
 */
export function openMulticast(
  options: MulticastOptions,
  addon?: NetsockAddon,
): MulticastSubscription {
  const { mask, bufferBytes, queueCapBytes, batchDelayMicros } = checkOptions(options);
  const native = multicastAddon(addon);
  let closed = false;
  let handle: MulticastHandle | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    if (handle !== undefined) native.unsubscribe(handle);
  };
  const handlers: BatchHandlers = {
    onDatagram: (bytes) => options.onDatagram(bytes),
    onLoss: (loss) => options.onLoss(loss),
    onFailure: (errno) => {
      const error = addonError(
        Object.assign(new Error('the multicast socket failed'), { errno }),
        'netlink multicast',
      ) as NetlinkError;
      close();
      if (options.onError === undefined) throw error;
      options.onError(error);
    },
    open: () => !closed,
  };
  try {
    handle = native.subscribe(
      options.protocol,
      mask,
      bufferBytes,
      (batch) => {
        if (!closed) decodeBatch(batch, handlers);
      },
      queueCapBytes,
      batchDelayMicros,
    );
  } catch (error) {
    throw addonError(error, 'netlink multicast: subscribe');
  }
  const subscribed = handle;
  let portId: number;
  try {
    portId = native.multicastPortId(subscribed);
  } catch (error) {
    close();
    throw addonError(error, 'netlink multicast: getsockname');
  }
  return {
    portId,
    send(bytes: Uint8Array): number {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('send: bytes must be a Uint8Array');
      if (closed) throw new NetlinkError('netlink multicast: send after close', 9, 'EBADF');
      try {
        return native.multicastSend(subscribed, bytes);
      } catch (error) {
        throw addonError(error, 'netlink multicast: send');
      }
    },
    close,
    ref: () => {
      if (!closed) native.refSubscription(subscribed, true);
    },
    unref: () => {
      if (!closed) native.refSubscription(subscribed, false);
    },
  };
}

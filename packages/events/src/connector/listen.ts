// The requests that start and stop the proc connector's events for one socket: nlmsghdr
// (NLMSG_DONE, nlmsg_pid our port id) + cn_msg {CN_IDX_PROC, CN_VAL_PROC, len 4} + u32 op
// (enum proc_cn_mcast_op). The kernel answers a request with a proc_event of `what` NONE whose
// cn_msg.ack is the request's ack plus one, and whose err is 0 or an errno (cn_proc.c,
// cn_proc_ack): `ack` is how a source knows its own answer among other listeners'.

import { CN_IDX_PROC, CN_VAL_PROC, HOST_LITTLE_ENDIAN } from './decode.js';

export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;
const NLMSG_DONE = 3;
const MESSAGE_BYTES = 16 + 20 + 4;

export interface ListenRequest {
  op: typeof PROC_CN_MCAST_LISTEN | typeof PROC_CN_MCAST_IGNORE;
  /** The socket's netlink port id. */
  portId: number;
  /** cn_msg.ack: the answer carries it plus one. */
  ack: number;
}

export function encodeListenRequest({ op, portId, ack }: ListenRequest): Uint8Array {
  for (const [name, value] of [
    ['portId', portId],
    ['ack', ack],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new TypeError(
        `encodeListenRequest: ${name} must be an integer 0..2^32-1, not ${value}`,
      );
    }
  }
  if (op !== PROC_CN_MCAST_LISTEN && op !== PROC_CN_MCAST_IGNORE) {
    throw new TypeError(
      `encodeListenRequest: op must be 1 (listen) or 2 (ignore), not ${String(op)}`,
    );
  }
  const bytes = new Uint8Array(MESSAGE_BYTES);
  const view = new DataView(bytes.buffer);
  const u32 = (at: number, value: number) => view.setUint32(at, value, HOST_LITTLE_ENDIAN);
  u32(0, MESSAGE_BYTES);
  view.setUint16(4, NLMSG_DONE, HOST_LITTLE_ENDIAN);
  u32(12, portId);
  u32(16, CN_IDX_PROC);
  u32(20, CN_VAL_PROC);
  u32(28, ack);
  view.setUint16(32, 4, HOST_LITTLE_ENDIAN);
  u32(36, op);
  return bytes;
}

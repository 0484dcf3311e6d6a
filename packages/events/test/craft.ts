// Crafted proc connector datagrams for the decoder's and the stream's tests.
import { HOST_LITTLE_ENDIAN } from '../src/connector/decode.js';

/** A proc connector datagram: nlmsghdr + cn_msg + proc_event head + `data` (the union). */
export function craft(options: {
  what: number;
  data?: number[];
  cnLength?: number;
  nlLength?: number;
  type?: number;
  idx?: number;
  val?: number;
  seq?: number;
  ack?: number;
  cpu?: number;
}): Uint8Array {
  const data = options.data ?? [];
  const eventBytes = 16 + data.length * 4;
  const total = 36 + eventBytes;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const u32 = (at: number, value: number) => view.setUint32(at, value >>> 0, HOST_LITTLE_ENDIAN);
  u32(0, options.nlLength ?? total);
  view.setUint16(4, options.type ?? 3, HOST_LITTLE_ENDIAN);
  u32(16, options.idx ?? 1);
  u32(20, options.val ?? 1);
  u32(24, options.seq ?? 7);
  u32(28, options.ack ?? 0);
  view.setUint16(32, options.cnLength ?? eventBytes, HOST_LITTLE_ENDIAN);
  u32(36, options.what);
  u32(40, options.cpu ?? 1);
  view.setBigUint64(44, 123456789n, HOST_LITTLE_ENDIAN);
  for (const [i, word] of data.entries()) u32(52 + i * 4, word);
  return bytes;
}

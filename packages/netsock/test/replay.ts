// Captured kernel replies (test/fixtures/<name>/reply-N.bin) played back as a netlink channel.
import { readdirSync, readFileSync } from 'node:fs';
import { HOST_LITTLE_ENDIAN } from '../src/netlink/message.js';
import type { DiagChannel } from '../src/netlink/tables.js';

export const fixture = (name: string, file: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}/${file}`, import.meta.url)));

/** The captured reply datagrams of a fixture, in order. */
export function replies(name: string): Uint8Array[] {
  const dir = new URL(`./fixtures/${name}/`, import.meta.url);
  const count = readdirSync(dir).filter((f) => f.startsWith('reply-')).length;
  return Array.from({ length: count }, (_, i) => fixture(name, `reply-${i}.bin`));
}

/** A channel answering each recv with the next datagram, recording what was sent. */
export function replayChannel(
  datagrams: Uint8Array[],
  bufferBytes = 65536,
): DiagChannel & { sent: Uint8Array[] } {
  const buffer = new Uint8Array(bufferBytes);
  const queue = [...datagrams];
  const sent: Uint8Array[] = [];
  return {
    buffer,
    view: new DataView(buffer.buffer),
    unsupported: new Set(),
    supported: new Set(),
    sent,
    nextSeq: () => 1000,
    send(bytes) {
      sent.push(bytes);
    },
    recv(into) {
      const next = queue.shift();
      if (next === undefined) throw new Error('no more datagrams');
      into.set(next.subarray(0, Math.min(next.length, into.length)));
      return next.length;
    },
  };
}

/**
 * Datagrams as the addon's exchangeAsync gives them (walkReply's records): each a u32 of its
 * full length, then at most `datagramBytes` of it, padded to 4.
 */
export function recordsOf(datagrams: Uint8Array[], datagramBytes = 65536): ArrayBuffer {
  const kept = datagrams.map((d) => d.subarray(0, Math.min(d.length, datagramBytes)));
  const size = kept.reduce((sum, d) => sum + ((4 + d.length + 3) & ~3), 0);
  const records = new Uint8Array(size);
  const view = new DataView(records.buffer);
  let at = 0;
  for (const [i, d] of kept.entries()) {
    view.setUint32(at, (datagrams[i] as Uint8Array).length, HOST_LITTLE_ENDIAN);
    records.set(d, at + 4);
    at += (4 + d.length + 3) & ~3;
  }
  return records.buffer;
}

// Bugs the fuzz campaign found, each as its smallest failing case: fixed, and kept so they stay
// fixed (the errno check in test/fuzz/support.ts is strict again).
import { describe, expect, it } from 'vitest';
import { NetlinkError, NetlinkParseError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN, walkDatagram } from './netlink/message.js';
import { DumpRecording } from './netlink/tables.js';

/** One 36-byte datagram: NLMSG_ERROR (or NLMSG_DONE) for seq 1000 whose status is `status`. */
function reply(type: number, status: number): Uint8Array {
  const bytes = new Uint8Array(36);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 36, HOST_LITTLE_ENDIAN);
  view.setUint16(4, type, HOST_LITTLE_ENDIAN);
  view.setUint32(8, 1000, HOST_LITTLE_ENDIAN);
  view.setInt32(16, status, HOST_LITTLE_ENDIAN);
  return bytes;
}

function errorOf(bytes: Uint8Array): unknown {
  try {
    const options = { seq: 1000, kind: 'net/tcp', expectedType: 18, onMessage: () => {} } as const;
    walkDatagram(bytes, new DataView(bytes.buffer), bytes.length, options, {
      interrupted: false,
      messages: 0,
    });
  } catch (error) {
    return error;
  }
  return undefined;
}

// FIXED: NetlinkError's docs say `errno` is the positive error number, but walkDatagram negates
// whatever status an NLMSG_ERROR carries: a positive one (the kernel writes -errno, a forged or
// damaged reply need not) gives errno -1 and code 'E-1'.
describe('a positive status in NLMSG_ERROR', () => {
  it('is a NetlinkParseError, or a NetlinkError with a positive errno, not errno -1', () => {
    const error = errorOf(reply(2, 1));
    expect(error).toBeInstanceOf(Error);
    if (error instanceof NetlinkError) expect(error.errno).toBeGreaterThan(0);
  });
});

// FIXED: a unix message kept undecoded by a DumpRecording (socketsOf dumps before it knows the
// inodes) and decoded on replay gave a NetlinkParseError whose offset pointed into the
// recording's buffer, past the datagram it came from: the offset is now the message's own.
describe('a malformed unix message replayed from a recording', () => {
  it('is a NetlinkParseError with an offset inside the message', () => {
    const message = new Uint8Array(28);
    const view = new DataView(message.buffer);
    message[0] = 1; // AF_UNIX
    view.setUint32(4, 7, HOST_LITTLE_ENDIAN); // inode
    view.setUint16(16, 174, HOST_LITTLE_ENDIAN); // an attribute longer than the 12 bytes left
    const recording = new DumpRecording();
    recording.keep('unix', new Uint8Array(100), 0, 60); // another message before it
    recording.keep('unix', message, 0, message.length);
    let error: unknown;
    try {
      recording.replay({ wants: (inode) => inode === 7, add: () => {} });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(NetlinkParseError);
    expect((error as NetlinkParseError).offset).toBeLessThanOrEqual(message.length);
  });
});

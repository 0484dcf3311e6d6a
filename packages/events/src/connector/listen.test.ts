// listen.ts: the LISTEN/IGNORE requests, byte by byte as linux/connector.h and cn_proc.h lay them
// out (checked live by test/connector.test.ts: the kernel answers them).
import { describe, expect, test } from 'vitest';
import { HOST_LITTLE_ENDIAN } from './decode.js';
import { encodeListenRequest, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN } from './listen.js';

/** Little-endian words, swapped on a big-endian host. */
function words(...values: [bytes: 2 | 4, value: number][]): number[] {
  const out: number[] = [];
  for (const [size, value] of values) {
    const part = new Uint8Array(size);
    const view = new DataView(part.buffer);
    if (size === 2) view.setUint16(0, value, HOST_LITTLE_ENDIAN);
    else view.setUint32(0, value, HOST_LITTLE_ENDIAN);
    out.push(...part);
  }
  return out;
}

describe('encodeListenRequest', () => {
  test('LISTEN: nlmsghdr, cn_msg {1, 1, ack, len 4} and op 1', () => {
    const bytes = encodeListenRequest({ op: PROC_CN_MCAST_LISTEN, portId: 0x1234, ack: 77 });
    expect([...bytes]).toEqual(
      words(
        [4, 40], // nlmsg_len
        [2, 3], // NLMSG_DONE
        [2, 0], // flags
        [4, 0], // seq
        [4, 0x1234], // nlmsg_pid: our port
        [4, 1], // CN_IDX_PROC
        [4, 1], // CN_VAL_PROC
        [4, 0], // cn seq
        [4, 77], // cn ack
        [2, 4], // len
        [2, 0], // flags
        [4, 1], // PROC_CN_MCAST_LISTEN
      ),
    );
  });

  test('IGNORE differs only in its op', () => {
    const listen = encodeListenRequest({ op: PROC_CN_MCAST_LISTEN, portId: 5, ack: 0 });
    const ignore = encodeListenRequest({ op: PROC_CN_MCAST_IGNORE, portId: 5, ack: 0 });
    expect([...ignore.subarray(0, 36)]).toEqual([...listen.subarray(0, 36)]);
    expect([...ignore.subarray(36)]).toEqual(words([4, 2]));
  });

  test('bad fields are TypeErrors naming them', () => {
    expect(() => encodeListenRequest({ op: 3 as never, portId: 1, ack: 0 })).toThrow(/op must be/);
    expect(() => encodeListenRequest({ op: 1, portId: -1, ack: 0 })).toThrow(/portId/);
    expect(() => encodeListenRequest({ op: 1, portId: 1, ack: 2 ** 32 })).toThrow(/ack/);
    expect(() => encodeListenRequest({ op: 1, portId: 1.5, ack: 0 })).toThrow(TypeError);
  });
});

// decode.ts against real datagrams of this kernel (test/fixtures/, captured by
// test/capture-fixtures.mjs, expected decoding written by hand), crafted hostile ones, and
// properties: whatever the bytes, no throw, and never an event the bytes do not hold.
import { readFileSync } from 'node:fs';
import { encodeText } from '@procmon/parse';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { craft } from '../../test/craft.js';
import { PROCESS_EVENT_TYPES, type ProcessEvent } from '../types.js';
import { decodeDatagram, HOST_LITTLE_ENDIAN, PROC_EVENT } from './decode.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as {
  datagrams: Record<string, { seq: number; event: Record<string, unknown> }>;
};
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, fixtures)));
const names = Object.keys(expected.datagrams);

/** An event as expected.json writes it: the timestamp a decimal string. */
function plain(event: ProcessEvent | undefined): Record<string, unknown> | undefined {
  if (event === undefined) return undefined;
  return { ...event, timestampNs: event.timestampNs.toString() };
}

describe('real datagrams of this kernel', () => {
  test('there is a fixture of every kind of event the kernel sends', () => {
    const types = new Set(names.map((name) => expected.datagrams[name]?.event.type));
    expect([...types].sort()).toEqual(
      ['comm', 'coredump', 'exec', 'exit', 'fork', 'gid', 'ptrace', 'sid', 'uid'].sort(),
    );
  });

  test.each(names)('%s decodes as written by hand', (name) => {
    const want = expected.datagrams[name];
    const decoded = decodeDatagram(fixture(name));
    expect(decoded.skipped).toEqual([]);
    expect(decoded.messages).toHaveLength(1);
    const message = decoded.messages[0];
    expect(message?.seq).toBe(want?.seq);
    expect(plain(message?.event)).toEqual(want?.event);
  });
});

describe('crafted datagrams', () => {
  test('an empty datagram has nothing', () => {
    expect(decodeDatagram(new Uint8Array(0))).toEqual({ messages: [], skipped: [] });
  });

  test('fewer bytes than a nlmsghdr are malformed', () => {
    const { messages, skipped } = decodeDatagram(new Uint8Array(10));
    expect(messages).toEqual([]);
    expect(skipped).toEqual([{ offset: 0, reason: '10 bytes left, no nlmsghdr', malformed: true }]);
  });

  test('a nlmsg_len past the datagram, or shorter than its header, is malformed', () => {
    const long = craft({ what: PROC_EVENT.EXEC, data: [5, 5], nlLength: 200 });
    expect(decodeDatagram(long).skipped[0]).toMatchObject({
      malformed: true,
      reason: /nlmsg_len 200/,
    });
    const short = craft({ what: PROC_EVENT.EXEC, data: [5, 5], nlLength: 8 });
    expect(decodeDatagram(short).messages).toEqual([]);
    const noCn = craft({ what: PROC_EVENT.EXEC, data: [5, 5], nlLength: 30 });
    expect(decodeDatagram(noCn).skipped[0]).toMatchObject({
      malformed: true,
      reason: /no room for cn_msg/,
    });
  });

  test('another connector id or message type is skipped, not believed', () => {
    for (const bad of [{ idx: 2 }, { val: 2 }, { idx: 0, val: 0 }, { type: 2 }]) {
      const decoded = decodeDatagram(craft({ what: PROC_EVENT.EXEC, data: [5, 5], ...bad }));
      expect(decoded.messages).toEqual([]);
      expect(decoded.skipped[0]?.malformed).toBe(false);
    }
  });

  test('a cn_msg.len past the message, or too short for its event, is malformed', () => {
    const past = craft({ what: PROC_EVENT.FORK, data: [1, 1, 2, 2], cnLength: 33 });
    expect(decodeDatagram(past).skipped[0]).toMatchObject({
      malformed: true,
      reason: /past nlmsg_len/,
    });
    const noHead = craft({ what: PROC_EVENT.FORK, data: [1, 1, 2, 2], cnLength: 15 });
    expect(decodeDatagram(noHead).skipped[0]).toMatchObject({ reason: /no proc_event head/ });
    const cutFork = craft({ what: PROC_EVENT.FORK, data: [1, 1, 2, 2], cnLength: 31 });
    expect(decodeDatagram(cutFork).skipped[0]).toMatchObject({
      malformed: true,
      reason: 'what 0x1 needs 16 bytes of event data, has 15',
    });
  });

  test('an unknown what is numbered but has no event', () => {
    const decoded = decodeDatagram(craft({ what: 0x800, data: [1, 2], seq: 99 }));
    expect(decoded.skipped).toEqual([]);
    expect(decoded.messages).toEqual([{ seq: 99, ack: 0, cpu: 1, what: 0x800 }]);
    // NONZERO_EXIT is a filter flag of LISTEN, never an event.
    expect(
      decodeDatagram(craft({ what: PROC_EVENT.NONZERO_EXIT, data: [1, 1, 0, 17] })).messages[0]
        ?.event,
    ).toBe(undefined);
  });

  test('an exit without the parent fields (kernels before 4.19) has none', () => {
    const old = decodeDatagram(craft({ what: PROC_EVENT.EXIT, data: [40, 41, 0x8b, 17] }));
    expect(old.messages[0]?.event).toEqual({
      type: 'exit',
      timestampNs: 123456789n,
      cpu: 1,
      source: 'connector',
      pid: 40,
      tgid: 41,
      signal: 11,
      status: 0x8b,
      exitSignal: 17,
    });
    const cut = decodeDatagram(
      craft({ what: PROC_EVENT.EXIT, data: [40, 41, 0, 17], cnLength: 31 }),
    );
    expect(cut.messages).toEqual([]);
  });

  test('the ack of a LISTEN gives its errno and its ack', () => {
    const decoded = decodeDatagram(craft({ what: PROC_EVENT.NONE, data: [22], ack: 1001 }));
    expect(decoded.messages).toEqual([{ seq: 7, ack: 1001, cpu: 1, what: 0, listenError: 22 }]);
  });

  test('comm stops at the first NUL, fills 16 bytes without one, and keeps non-UTF-8 bytes', () => {
    const commOf = (bytes: number[]) => {
      const words = new Uint8Array(24);
      words.set(bytes, 8);
      const data = [...new Uint32Array(words.buffer)];
      data[0] = 9;
      data[1] = 9;
      const event = decodeDatagram(craft({ what: PROC_EVENT.COMM, data })).messages[0]?.event;
      return event?.type === 'comm' ? event.comm : undefined;
    };
    const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
    expect(commOf([...ascii('ab'), 0, ...ascii('hidden')])).toBe('ab');
    expect(commOf(ascii('sixteen-letters!'))).toBe('sixteen-letters!');
    const raw = [0x66, 0xff, 0xc3, 0xa9];
    const text = commOf(raw);
    expect([...encodeText(text ?? '')]).toEqual(raw);
  });

  test('two messages in one datagram both decode, in order', () => {
    const a = craft({ what: PROC_EVENT.EXEC, data: [10, 10], seq: 1 });
    const b = craft({ what: PROC_EVENT.SID, data: [11, 11], seq: 2 });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(decodeDatagram(both).messages.map((m) => [m.seq, m.event?.type])).toEqual([
      [1, 'exec'],
      [2, 'sid'],
    ]);
  });
});

describe('properties', () => {
  const known = new Set<string>(PROCESS_EVENT_TYPES);

  test('any bytes: no throw, and every event of a known type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { messages } = decodeDatagram(bytes);
        for (const message of messages)
          if (message.event) expect(known.has(message.event.type)).toBe(true);
      }),
    );
  });

  test('a real datagram cut anywhere gives no event', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(75), (name, cut) => {
        const decoded = decodeDatagram(fixture(name).subarray(0, cut));
        expect(decoded.messages.filter((m) => m.event !== undefined)).toEqual([]);
      }),
    );
  });

  test('a lying cn_msg.len gives the real event (maybe without parents) or none', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer({ min: 0, max: 0xffff }),
        (name, length) => {
          const bytes = fixture(name);
          new DataView(bytes.buffer).setUint16(32, length, HOST_LITTLE_ENDIAN);
          const event = plain(decodeDatagram(bytes).messages[0]?.event);
          if (event === undefined) return;
          const want = expected.datagrams[name]?.event ?? {};
          for (const [key, value] of Object.entries(event)) expect(want[key]).toEqual(value);
          if (length < 16 || length > 40) throw new Error(`an event from cn_msg.len ${length}`);
        },
      ),
    );
  });

  test('any connector id but CN_IDX_PROC/CN_VAL_PROC is never believed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), fc.nat(), (name, idx, val) => {
        fc.pre(idx !== 1 || val !== 1);
        const bytes = fixture(name);
        const view = new DataView(bytes.buffer);
        view.setUint32(16, idx, HOST_LITTLE_ENDIAN);
        view.setUint32(20, val, HOST_LITTLE_ENDIAN);
        expect(decodeDatagram(bytes).messages).toEqual([]);
      }),
    );
  });
});

// Fuzz targets of the netlink message layer: walkDatagram on damaged datagrams (alone, several
// run together, with bytes past the end it must not read), and exchange over a replayed
// transport playing back damaged reply sequences. Only ParseErrors (NetlinkParseError) and the
// kernel's refusals (NetlinkError) may come out; every message handed on lies inside the
// datagram and has the header the walk promised.
import type { ProcFileKind } from '@procmon/parse';
import fc from 'fast-check';
import {
  exchange,
  HOST_LITTLE_ENDIAN,
  type MessageHandler,
  walkDatagram,
} from '../../src/netlink/message.js';
import {
  accepted,
  BINARY,
  check,
  cutSequences,
  DATAGRAMS,
  decoded,
  fuzzFile,
  mutatedBytes,
  PORT_ID,
  prefixes,
  REPLIES,
  ReplayExhausted,
  replayedChannel,
  replySequence,
  SEQ,
  same,
  sameOutcome,
  typeOf,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const kind = fc.constantFrom<ProcFileKind>('net/tcp', 'net/udp', 'net/raw', 'net/unix');
const seq = fc.oneof(
  { weight: 8, arbitrary: fc.constant(SEQ) },
  { weight: 1, arbitrary: fc.nat() },
);
const portId = fc.constantFrom<number | undefined>(undefined, undefined, PORT_ID, 0, 4242);
const expectedType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<number>(18, 20) },
  { weight: 1, arbitrary: fc.constantFrom<number>(0, 1, 2, 3, 4, 0xffff) },
);

interface Call {
  type: number;
  start: number;
  length: number;
}

/** Checks one message the walk handed on: inside `end`, with the header it was chosen by. */
function checkCall(
  view: DataView,
  end: number,
  call: Call,
  want: { seq: number; type: number; portId?: number | undefined },
) {
  const { start, length, type } = call;
  check(
    start >= 16 && length >= 0 && start + length <= end,
    () => `message [${start}, +${length}) past ${end}`,
  );
  check(type === want.type, () => `type ${type}, expected ${want.type}`);
  check(view.getUint32(start - 16, HOST_LITTLE_ENDIAN) === length + 16, 'nlmsg_len');
  check(view.getUint16(start - 12, HOST_LITTLE_ENDIAN) === type, 'nlmsg_type');
  check(view.getUint32(start - 8, HOST_LITTLE_ENDIAN) === want.seq, 'nlmsg_seq');
  if (want.portId !== undefined) {
    check(view.getUint32(start - 4, HOST_LITTLE_ENDIAN) === want.portId, 'nlmsg_pid');
  }
}

fuzz.target(
  'walkDatagram',
  fc.record({
    parts: fc.array(mutatedBytes(DATAGRAMS, BINARY), { minLength: 1, maxLength: 3 }),
    padding: fc.integer({ min: 0, max: 40 }),
    seq,
    kind,
    type: expectedType,
    portId,
  }),
  ({ parts, padding, seq, kind, type, portId }) => {
    const datagram = Uint8Array.from(parts.flatMap((part) => [...part]));
    const end = datagram.length;
    // Twice, with different bytes after `end`: what lies past the datagram must not matter.
    const walk = (fill: number) => {
      const buffer = new Uint8Array(end + padding).fill(fill);
      buffer.set(datagram);
      const view = new DataView(buffer.buffer);
      const calls: Call[] = [];
      const result = { interrupted: false, messages: 0 };
      const onMessage: MessageHandler = (_bytes, _view, t, start, length) =>
        calls.push({ type: t, start, length });
      const ended = walkDatagram(
        buffer,
        view,
        end,
        { seq, kind, expectedType: type, onMessage },
        result,
        portId,
      );
      for (const call of calls) checkCall(view, end, call, { seq, type, portId });
      check(result.messages === calls.length, 'messages is not the number handed on');
      return { ended, calls, result };
    };
    const first = decoded(() => walk(0x00), kind, end);
    const second = decoded(() => walk(0xff), kind, end);
    check(sameOutcome(first, second), 'the bytes past the datagram changed the walk');
    if (first.ok) {
      accepted();
      check(typeof first.value.ended === 'boolean', 'ended');
    }
  },
  {
    sweep: {
      what: 'every prefix of every datagram',
      values: DATAGRAMS.flatMap((datagram) =>
        prefixes([datagram]).map((part, i) => ({
          parts: [part],
          padding: 8,
          seq: SEQ,
          kind: 'net/tcp' as ProcFileKind,
          type: typeOf(datagram),
          portId: i % 2 === 0 ? undefined : PORT_ID,
        })),
      ),
    },
  },
);

const SEQUENCES = Object.values(REPLIES);

fuzz.target(
  'exchange',
  fc.record({
    datagrams: replySequence(SEQUENCES),
    bufferBytes: fc.constantFrom<number>(65536, 65536, 65536, 4096, 172, 124, 64, 20, 16, 1),
    seq,
    kind,
    type: expectedType,
    portId,
  }),
  ({ datagrams, bufferBytes, seq, kind, type, portId }) => {
    const channel = replayedChannel(datagrams, bufferBytes, portId);
    const request = Uint8Array.of(1, 2, 3, 4);
    const calls: Call[] = [];
    const result = decoded(
      () =>
        exchange(channel, {
          request,
          seq,
          kind,
          buffer: channel.buffer,
          view: channel.view,
          expectedType: type,
          onMessage: (bytes, view, t, start, length) => {
            check(bytes === channel.buffer && view === channel.view, 'not the receive buffer');
            checkCall(view, bytes.length, { type: t, start, length }, { seq, type, portId });
            calls.push({ type: t, start, length });
          },
        }),
      kind,
      bufferBytes,
    );
    check(
      channel.sent.length === 1 && same(channel.sent[0], request),
      'the request was not sent once',
    );
    if (!result.ok) {
      // Out of datagrams is the only way to end without the reply's end or an error.
      if (result.error instanceof ReplayExhausted)
        check(channel.received === datagrams.length, 'exhausted early');
      return;
    }
    accepted();
    check(result.value.messages === calls.length, 'messages is not the number handed on');
    check(typeof result.value.interrupted === 'boolean', 'interrupted');
  },
  {
    sweep: {
      what: 'each reply with a datagram cut at every length',
      values: cutSequences(SEQUENCES).map((datagrams) => ({
        datagrams,
        bufferBytes: 65536,
        seq: SEQ,
        kind: 'net/tcp' as ProcFileKind,
        type: typeOf(datagrams[0] ?? new Uint8Array(0)),
        portId: undefined,
      })),
    },
  },
);

// Fuzz targets of the sock_diag message decoders, one message at a time: checkInetMessage and
// decodeInetMessage, checkUnixMessage and decodeUnixMessage, and walkAttributes under both.
// Each message sits inside a larger buffer; the bytes around it must not change the result.
import type { ProcFileKind } from '@procmon/parse';
import fc from 'fast-check';
import type { NetlinkParseError } from '../../src/netlink/errors.js';
import { checkInetMessage, decodeInetMessage } from '../../src/netlink/inet.js';
import { walkAttributes } from '../../src/netlink/message.js';
import { checkUnixMessage, decodeUnixMessage } from '../../src/netlink/unix.js';
import type { SocketProtocol } from '../../src/types.js';
import {
  accepted,
  BINARY,
  check,
  checkEntry,
  decoded,
  fuzzFile,
  INET_MESSAGES,
  mutatedBytes,
  NetlinkParseErrorOnly,
  prefixes,
  sameOutcome,
  UNIX_MESSAGES,
  withoutExcerpt,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

/** `message` at `before` in a buffer with `after` more bytes, everything else `fill`. */
function placed(message: Uint8Array, before: number, after: number, fill: number) {
  const bytes = new Uint8Array(before + message.length + after).fill(fill);
  bytes.set(message, before);
  return { bytes, view: new DataView(bytes.buffer), start: before };
}

const placement = {
  before: fc.integer({ min: 0, max: 20 }),
  after: fc.integer({ min: 0, max: 40 }),
};

fuzz.target(
  'checkInetMessage + decodeInetMessage',
  fc.record({
    message: mutatedBytes(INET_MESSAGES, BINARY),
    ...placement,
    protocol: fc.constantFrom<SocketProtocol>('tcp', 'udp', 'udplite', 'raw', 'sctp'),
    kind: fc.constantFrom<ProcFileKind>('net/tcp', 'net/udp', 'net/raw'),
  }),
  ({ message, before, after, protocol, kind }) => {
    const run = (fill: number) => {
      const { bytes, view, start } = placed(message, before, after, fill);
      checkInetMessage(bytes, view, start, message.length, kind);
      return decodeInetMessage(bytes, view, start, protocol);
    };
    const first = decoded(
      () => run(0x00),
      kind,
      before + message.length + after,
      NetlinkParseErrorOnly,
    );
    const second = decoded(
      () => run(0xff),
      kind,
      before + message.length + after,
      NetlinkParseErrorOnly,
    );
    check(
      sameOutcome(first, second, withoutExcerpt),
      'bytes outside the message changed its decoding',
    );
    if (!first.ok) return;
    accepted();
    checkEntry(first.value, protocol);
  },
  {
    sweep: {
      what: 'every prefix of every message',
      values: prefixes(INET_MESSAGES).map((message) => ({
        message,
        before: 4,
        after: 8,
        protocol: 'tcp' as SocketProtocol,
        kind: 'net/tcp' as ProcFileKind,
      })),
    },
  },
);

fuzz.target(
  'checkUnixMessage + decodeUnixMessage',
  fc.record({ message: mutatedBytes(UNIX_MESSAGES, BINARY), ...placement }),
  ({ message, before, after }) => {
    const run = (fill: number) => {
      const { bytes, view, start } = placed(message, before, after, fill);
      checkUnixMessage(bytes, start, message.length);
      return decodeUnixMessage(bytes, view, start, message.length);
    };
    const size = before + message.length + after;
    const first = decoded(() => run(0x00), 'net/unix', size, NetlinkParseErrorOnly);
    const second = decoded(() => run(0xff), 'net/unix', size, NetlinkParseErrorOnly);
    check(
      sameOutcome(first, second, withoutExcerpt),
      'bytes outside the message changed its decoding',
    );
    if (!first.ok) return;
    accepted();
    checkEntry(first.value, 'unix');
  },
  {
    sweep: {
      what: 'every prefix of every message',
      values: prefixes(UNIX_MESSAGES).map((message) => ({ message, before: 4, after: 8 })),
    },
  },
);

// The attributes after each message's fixed part (72 bytes inet, 16 unix).
const ATTRIBUTES = [
  ...INET_MESSAGES.map((message) => message.slice(72)),
  ...UNIX_MESSAGES.map((message) => message.slice(16)),
];

fuzz.target(
  'walkAttributes',
  fc.record({ attributes: mutatedBytes(ATTRIBUTES, BINARY), ...placement }),
  ({ attributes, before, after }) => {
    const end = before + attributes.length;
    const walk = (fill: number) => {
      const { bytes, view, start } = placed(attributes, before, after, fill);
      const seen: [number, number, number][] = [];
      walkAttributes(bytes, view, start, end, 'net/unix', (type, at, length) => {
        seen.push([type, at, length]);
      });
      return seen;
    };
    const size = end + after;
    const first = decoded(() => walk(0x00), 'net/unix', size, NetlinkParseErrorOnly);
    const second = decoded(() => walk(0xff), 'net/unix', size, NetlinkParseErrorOnly);
    check(
      sameOutcome(first, second, withoutExcerpt),
      'bytes outside the attributes changed the walk',
    );
    if (!first.ok) {
      const { offset } = first.error as NetlinkParseError;
      check(offset >= before && offset <= end, 'error outside the attributes');
      return;
    }
    accepted();
    // Back to back from `before`, each value inside, the last padding at most 3 past the end.
    let at = before;
    for (const [type, valueStart, length] of first.value) {
      check(type >= 0 && type < 0x4000, () => `type ${type}`);
      check(valueStart === at + 4 && valueStart + length <= end, () => `attribute at ${at}`);
      at += (length + 4 + 3) & ~3;
    }
    check(at >= end && at - end < 4, () => `the walk stopped at ${at}, not ${end}`);
  },
  {
    sweep: {
      what: 'every prefix of every attribute list',
      values: prefixes(ATTRIBUTES).map((attributes) => ({ attributes, before: 4, after: 8 })),
    },
  },
);

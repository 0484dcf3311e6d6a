// Fuzz targets of the /proc/net tables: parseNetInet for each protocol and family, parseNetUnix
// (every decoding) and parseNetInodes for each table. One entry per row, each with the
// documented shape (ports 0-65535, addresses of the table's family, state names that match
// the numbers), and the byte order only changes the addresses.
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import {
  type InetFamily,
  type InetProtocol,
  type InetSocketEntry,
  inetSocketStateName,
  type NetInodeTable,
  type ParseNetInetOptions,
  type ProcFileKind,
  parseNetInet,
  parseNetInodes,
  parseNetUnix,
} from '../../src/index.js';
import {
  anyStringable,
  ascii,
  check,
  corpus,
  decodingTarget,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isInt,
  isNat,
  isPort,
  lineCount,
  parseBoth,
  parsed,
  parserInput,
  same,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const netFixture = (name: string) => corpus('net', (file) => file === name);

// --- inet tables --------------------------------------------------------------------------------

const KINDS: Record<InetProtocol, ProcFileKind> = {
  tcp: 'net/tcp',
  udp: 'net/udp',
  udplite: 'net/udp',
  raw: 'net/raw',
  icmp: 'net/icmp',
};

const inetTokens = [
  '0100007F:',
  '00000000000000000000000001000000:',
  'FFFF0000',
  ':0000',
  ':FFFF',
  ' 0A ',
  '00000000:00000000',
  '-1',
  '     ',
].map(ascii);

/** Every field but the addresses: what the byte order must not change. */
const withoutAddresses = (entries: InetSocketEntry[]) =>
  entries.map(({ localAddress: _l, remoteAddress: _r, ...rest }) => rest);
const reversed = (address: string) => address.split('.').reverse().join('.');

for (const protocol of ['tcp', 'udp', 'udplite', 'raw', 'icmp'] as const) {
  for (const family of ['inet', 'inet6'] as const) {
    const name = `live-${protocol}${family === 'inet6' ? '6' : ''}`;
    const options = fc.oneof(
      {
        weight: 40,
        arbitrary: fc
          .constantFrom(true, false, undefined)
          .map((littleEndian) => ({ protocol, family, littleEndian })),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          protocol: fc.oneof(
            fc.constant(protocol),
            fc.constantFrom('TCP', 'sctp', ''),
            anyStringable,
          ),
          family: fc.oneof(
            fc.constant<InetFamily>(family),
            fc.constantFrom('inet4', 'unix'),
            anyStringable,
          ),
          littleEndian: fc.oneof(fc.boolean(), anyStringable),
        }),
      },
    );
    fuzz.target(
      `parseNetInet ${protocol} ${family}`,
      fc.tuple(parserInput(netFixture(name), { tokens: inetTokens }), options),
      ([value, chosen]) => {
        const given = chosen as ParseNetInetOptions;
        const known = typeof given.protocol === 'string' && Object.hasOwn(KINDS, given.protocol);
        const kind = known ? KINDS[given.protocol] : 'net/tcp';
        const result = parseBoth(value, kind, (input) => parseNetInet(input as Uint8Array, given));
        if (!result.ok) return;
        check(known && (given.family === 'inet' || given.family === 'inet6'), 'bad options read');
        const entries = result.value;
        const where = () => show(value.bytes ?? value.input);
        if (value.bytes !== undefined) {
          check(
            entries.length === lineCount(value.bytes) - 1,
            () => `not one entry a row: ${where()}`,
          );
        }
        const isAddress = given.family === 'inet' ? isIPv4 : isIPv6;
        for (const entry of entries) {
          check(entry.family === given.family && entry.protocol === given.protocol, 'options');
          check(
            isAddress(entry.localAddress) && isAddress(entry.remoteAddress),
            () => `addresses ${entry.localAddress} ${entry.remoteAddress}: ${where()}`,
          );
          check(isPort(entry.localPort) && isPort(entry.remotePort), 'ports');
          check(
            isNat(entry.state) && entry.stateName === inetSocketStateName(entry.state),
            'state',
          );
          for (const key of [
            'slot',
            'txQueue',
            'rxQueue',
            'timerActive',
            'timerExpiresTicks',
            'retransmits',
            'uid',
            'inode',
          ] as const) {
            check(isNat(entry[key]), () => `${key} ${entry[key]}: ${where()}`);
          }
          check(isInt(entry.timeout) && isInt(entry.refCount), 'timeout or ref');
          check(
            given.protocol === 'tcp' ? !('drops' in entry) : isNat(entry.drops),
            () => `drops ${entry.drops}`,
          );
        }
        // The other byte order (a third of the cases: it costs a second parse): the same rows,
        // each address word reversed.
        if (given.littleEndian !== undefined) return;
        const other = parsed(
          () =>
            parseNetInet(value.input as Uint8Array, {
              ...given,
              littleEndian: given.littleEndian === false,
            }),
          kind,
          undefined,
        );
        check(other.ok, () => `refused in the other byte order: ${where()}`);
        check(
          same(withoutAddresses(other.value), withoutAddresses(entries)),
          'the byte order changed more than addresses',
        );
        if (given.family === 'inet') {
          check(
            other.value.every(
              (entry, i) =>
                entry.localAddress === reversed(entries[i]!.localAddress) &&
                entry.remoteAddress === reversed(entries[i]!.remoteAddress),
            ),
            'the other byte order does not reverse the IPv4 address',
          );
        }
      },
      {
        sweep: everyPrefix(netFixture(name), (input): [FuzzInput, ParseNetInetOptions] => [
          input,
          { protocol, family },
        ]),
      },
    );
  }
}

// --- unix ---------------------------------------------------------------------------------------

const TYPE_NAMES: Record<number, string> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
const STATE_NAMES: Record<number, string> = {
  1: 'UNCONNECTED',
  2: 'CONNECTING',
  3: 'CONNECTED',
  4: 'DISCONNECTING',
};

decodingTarget(
  fuzz,
  { name: 'parseNetUnix', kind: 'net/unix', parse: parseNetUnix },
  netFixture('live-unix'),
  (entries, value) => {
    if (value.bytes !== undefined) {
      // A name holding a newline takes more than one line: never more entries than rows.
      check(entries.length <= lineCount(value.bytes) - 1, 'more entries than rows');
    }
    for (const entry of entries) {
      for (const key of ['refCount', 'protocol', 'flags', 'type', 'state', 'inode'] as const) {
        check(isNat(entry[key]), () => `${key} ${entry[key]}`);
      }
      check(entry.listening === ((entry.flags & 0x10000) !== 0), 'listening');
      check(entry.typeName === (TYPE_NAMES[entry.type] ?? 'unknown'), 'typeName');
      check(entry.stateName === (STATE_NAMES[entry.state] ?? 'UNKNOWN'), 'stateName');
      check(
        entry.path === null ? entry.abstract === false : typeof entry.path === 'string',
        () => `path ${entry.path} abstract ${entry.abstract}`,
      );
    }
  },
  {
    mutations: {
      tokens: [' @', ' /tmp/x', '\n', '00010000', ' 0001 01 ', ': 00000002 00000000 '].map(ascii),
    },
  },
);

// --- netlink and packet -------------------------------------------------------------------------

for (const table of ['netlink', 'packet'] as const) {
  fuzz.target(
    `parseNetInodes ${table}`,
    fc.tuple(
      parserInput(netFixture(`live-${table}`), { tokens: [ascii('0000000000000000 ')] }),
      fc.oneof(
        { weight: 40, arbitrary: fc.constant<NetInodeTable>(table) },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom('unix', 'Netlink', ''), anyStringable) },
      ),
    ),
    ([value, chosen]) => {
      const known = chosen === 'netlink' || chosen === 'packet';
      const kind: ProcFileKind = chosen === 'packet' ? 'net/packet' : 'net/netlink';
      const result = parseBoth(value, kind, (input) =>
        parseNetInodes(input as Uint8Array, { table: chosen as NetInodeTable }),
      );
      if (!result.ok) return;
      check(known, 'an unknown table read');
      check(result.value.every(isNat), () => `inodes ${result.value}`);
      if (value.bytes !== undefined) {
        check(result.value.length === lineCount(value.bytes) - 1, 'not one inode a row');
      }
    },
    {
      sweep: everyPrefix(netFixture(`live-${table}`), (input): [FuzzInput, NetInodeTable] => [
        input,
        table,
      ]),
    },
  );
}

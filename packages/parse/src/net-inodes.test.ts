import { describe, expect, test } from 'vitest';
import { fixtures } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { type NetInodeTable, parseNetInodes } from './net-inodes.js';

// Captured on Linux 6.18 (a python3 holding an rtnetlink socket and two packet sockets);
// the kernel pads the Inode column to 8 (netlink) or 6 (packet) characters.
const NETLINK = [
  'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
  '00000000fbe7408d 0   8694       00000001 0        0        0     2        0        38419026',
  '0000000011a00883 0   0          00000000 0        0        0     2        0        4       ',
  '0000000039b15075 4   0          00000000 0        0        0     2        0        562     ',
  '00000000e10e44fa 16  0          00000000 0        0        0     2        0        5       ',
  '',
].join('\n');
const PACKET = [
  'sk               RefCnt Type Proto  Iface R Rmem   User   Inode',
  '000000007da3cbe3 3      3    0003   0     1 0      0      38419027',
  '000000004d81073a 2      2    0000   -1    0 0      0      417   ',
  '',
].join('\n');
const EMPTY_PACKET = 'sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n';

const fixture = fixtures('net');
// The inodes of the rtnetlink and packet sockets held while live-netlink and live-packet were
// captured (os.fstat of each).
const NETLINK_HELD = 40505903;
const PACKET_HELD = 40505904;

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (table: NetInodeTable, text: string) => parseNetInodes(bytes(text), { table });

function parseError(table: NetInodeTable, text: string): ParseError {
  try {
    parse(table, text);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('parseNetInodes', () => {
  test('the Inode column of captured /proc/net/netlink and /proc/net/packet', () => {
    expect(parse('netlink', NETLINK)).toEqual([38419026, 4, 562, 5]);
    expect(parse('packet', PACKET)).toEqual([38419027, 417]);
    expect(parse('packet', EMPTY_PACKET)).toEqual([]);
  });

  test('a view into a larger buffer', () => {
    const whole = bytes(`xx${NETLINK}yy`);
    const view = whole.subarray(2, whole.length - 2);
    expect(parseNetInodes(view, { table: 'netlink' })).toEqual([38419026, 4, 562, 5]);
  });

  test('a live capture of this machine', () => {
    // /proc/net/netlink and packet captured with a bound rtnetlink socket and a packet socket held.
    expect(parseNetInodes(fixture('live-netlink'), { table: 'netlink' })).toContain(NETLINK_HELD);
    expect(parseNetInodes(fixture('live-packet'), { table: 'packet' })).toEqual([PACKET_HELD]);
  });

  test('an unknown table is a ParseError', () => {
    expect(() => parseNetInodes(bytes(EMPTY_PACKET), { table: 'route' as NetInodeTable })).toThrow(
      ParseError,
    );
  });

  const row = NETLINK.split('\n')[1] as string;
  const header = NETLINK.split('\n')[0] as string;
  test.each([
    ['empty', '', 0],
    ['no newline at the end', NETLINK.slice(0, -1), NETLINK.length - 1],
    ['the other file', EMPTY_PACKET, 0],
    ['a header with a column missing', `${header.replace(' Drops', '')}\n`, 0],
    ['an empty row', `${header}\n\n`, header.length + 1],
    ['a row starting with a space', `${header}\n ${row}\n`, header.length + 1],
    ['a column missing', `${header}\n${row.replace(/ 38419026$/, '')}\n`, header.length + 1],
    ['a column too many', `${header}\n${row} 7\n`, header.length + 1],
    [
      'a tab (one column less)',
      `${header}\n${row.replace('0   8694', '0\t8694')}\n`,
      header.length + 1,
    ],
    [
      'a negative inode',
      `${header}\n${row.replace(' 38419026', ' -3')}\n`,
      NETLINK.indexOf('38419026'),
    ],
    [
      'an inode in hex',
      `${header}\n${row.replace(' 38419026', ' 0x3f')}\n`,
      NETLINK.indexOf('38419026'),
    ],
    [
      'Groups not 8 digits',
      `${header}\n${row.replace('00000001', '1')}\n`,
      NETLINK.indexOf('00000001'),
    ],
    [
      'a pointer not in hex',
      `${header}\n${row.replace('00000000fbe7408d', 'g')}\n`,
      header.length + 1,
    ],
    [
      'an inode past 2^53',
      `${header}\n${row.replace(' 38419026', ' 18446744073709551615')}\n`,
      NETLINK.indexOf('38419026'),
    ],
    [
      'a byte that is not ASCII',
      `${header}\n${row.replace('8694', '86\u00e94')}\n`,
      header.length + 22,
    ],
  ])('netlink: %s is a ParseError', (_what, text, offset) => {
    const error = parseError('netlink', text);
    expect(error.kind).toBe('net/netlink');
    expect(error.offset).toBe(offset);
  });

  test.each([
    ['R not 0 or 1', PACKET.replace('0003   0     1', '0003   0     2')],
    ['Proto not 4 hex digits', PACKET.replace('0003', '3')],
    ['a negative Rmem', PACKET.replace('1 0      0      38419027', '1 -1     0      38419027')],
    ['cut in a row', PACKET.slice(0, PACKET.indexOf('417'))],
  ])('packet: %s is a ParseError', (_what, text) => {
    expect(parseError('packet', text).kind).toBe('net/packet');
  });
});

// parseNetInet on crafted tables (states, byte order, headers, malformed rows), state names, and any input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { TCP_HEADER, TCP6_HEADER, tcp4, tcp6, UDP_HEADER, UDP6_HEADER } from '../test/net-inet.js';
import { formatIPv6 } from './net-address.js';
import {
  INET_SOCKET_STATE_NAMES,
  type InetFamily,
  type InetProtocol,
  type InetSocketEntry,
  inetSocketStateName,
  type ParseNetInetOptions,
  parseNetInet,
} from './net-inet.js';

const fixture = fixtures('net');

describe('parseNetInet on crafted tables', () => {
  const row = (state: string, tail = '') =>
    `   0: 0100007F:1F90 0100007F:D431 ${state} 00000010:00000020 02:0000012C 00000003  1000        5 4242 1 0000000000000000${tail}\n`;

  it('returns nothing for a table with only its header', () => {
    expect(parseNetInet(TCP_HEADER, tcp4)).toEqual([]);
    expect(parseNetInet(UDP6_HEADER, { family: 'inet6', protocol: 'udp' })).toEqual([]);
  });

  it('names NEW_SYN_RECV (12) and keeps an unknown state number as UNKNOWN', () => {
    const [synRecv, unknown, zero] = parseNetInet(
      TCP_HEADER + row('0C') + row('FE', ' 20 4 0 10 -1') + row('00'),
      tcp4,
    );
    expect(synRecv).toStrictEqual({
      ...tcp4,
      slot: 0,
      localAddress: '127.0.0.1',
      localPort: 8080,
      remoteAddress: '127.0.0.1',
      remotePort: 54321,
      state: 12,
      stateName: 'NEW_SYN_RECV',
      txQueue: 16,
      rxQueue: 32,
      timerActive: 2,
      timerExpiresTicks: 300,
      retransmits: 3,
      uid: 1000,
      timeout: 5,
      inode: 4242,
      refCount: 1,
    });
    expect([unknown?.state, unknown?.stateName]).toEqual([254, 'UNKNOWN']);
    expect([zero?.state, zero?.stateName]).toEqual([0, 'UNKNOWN']);
  });

  it('reads addresses as big-endian words when told, and little-endian by default', () => {
    const v4 = `${TCP_HEADER}   0: 7F000001:0050 C0000201:01BB 01 00000000:00000000 00:00000000 00000000     0        0 7 1 0\n`;
    const bigEndian = parseNetInet(v4, { ...tcp4, littleEndian: false })[0];
    expect(bigEndian).toMatchObject({
      localAddress: '127.0.0.1',
      localPort: 80,
      remoteAddress: '192.0.2.1',
      remotePort: 443,
    });
    // Ports are converted to host order by the kernel before printing: the same either way.
    expect(parseNetInet(v4, tcp4)[0]).toMatchObject({
      localAddress: '1.0.0.127',
      localPort: 80,
      remoteAddress: '1.2.0.192',
      remotePort: 443,
    });
    const v6 = `${TCP6_HEADER}   0: 20010DB8000000000000000000000001:0016 0000000000000000000000000000FFFF:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0\n`;
    expect(parseNetInet(v6, { ...tcp6, littleEndian: false })[0]).toMatchObject({
      localAddress: '2001:db8::1',
      localPort: 22,
      remoteAddress: '::ffff',
    });
    expect(parseNetInet(v6, tcp6)[0]).toMatchObject({
      localAddress: 'b80d:120::100:0',
      remoteAddress: '::ffff:0',
    });
  });

  it('takes the family from the options, never from how an address looks', () => {
    // All zero, IPv4-mapped and zero-tailed addresses in a tcp6 table are IPv6.
    const text = `${TCP6_HEADER}   0: 00000000000000000000000000000000:0016 0000000000000000FFFF00000100007F:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0\n`;
    expect(parseNetInet(text, tcp6)[0]).toMatchObject({
      family: 'inet6',
      localAddress: '::',
      remoteAddress: '::ffff:127.0.0.1',
    });
  });

  it('accepts rows longer than the header (tcp writes rto, ato, qack, cwnd, ssthresh)', () => {
    const entry = parseNetInet(TCP_HEADER + row('01', ' 20 4 0 10 -1'), tcp4)[0];
    expect(entry?.inode).toBe(4242);
    expect(entry).not.toHaveProperty('drops');
  });

  it('rejects a row that stops before a column, naming the line and column', () => {
    const truncated = `${TCP_HEADER}   0: 0100007F:1F90 0100007F:D431 01 00000010:00000020 02:0000012C 00000003  1000\n`;
    const error = parseErrorOf(() => parseNetInet(truncated, tcp4));
    expect(error.kind).toBe('net/tcp');
    expect(error.message).toContain('line 2: column "timeout" is missing');
    // A udp row must have its drops column.
    const udp4 = { family: 'inet', protocol: 'udp' } as const;
    const noDrops = `${UDP_HEADER}  1: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 99 2 0000000000000000\n`;
    expect(parseNetInet(noDrops.replace(/\n$/, ' 7\n'), udp4)[0]?.drops).toBe(7);
    expect(parseErrorOf(() => parseNetInet(noDrops, udp4)).message).toContain(
      'line 2: column "drops" is missing',
    );
  });

  it('rejects malformed columns, naming the line and column', () => {
    const cases: [string, string][] = [
      [row('0G'), 'line 2: column "st" is not a hex number'],
      [row('01').replace('0100007F:1F90', '0100007G:1F90'), 'column "local_address" has a byte'],
      [row('01').replace('0100007F:1F90', '100007F:1F90'), 'column "local_address" is not 8'],
      [row('01').replace('0100007F:D431', '0100007F:D4311'), 'column "rem_address" is not 8'],
      [row('01').replace(':D431', ':D43Z'), 'column "rem_address" is not a hex number'],
      [row('01').replace('00000010:00000020', '0000001000000020'), 'column "tx_queue" has no ":"'],
      [row('01').replace('00000010:00000020', '00000010:'), 'column "rx_queue" is not a hex'],
      [row('01').replace('02:0000012C', '02:-12C'), 'column "tm->when" is not a hex number'],
      [row('01').replace('  1000', ' -1000'), 'column "uid" is not a decimal number'],
      [row('01').replace(' 4242 ', ' 0x10 '), 'column "inode" is not a decimal number'],
      [
        row('01').replace(' 4242 ', ' 99999999999999999 '),
        'column "inode" is too large to be exact',
      ],
      [row('01').replace(' 4242 ', ' 99999999999999999999 '), 'column "inode" is too large'],
      [row('01').replace('   0:', '   0 '), 'column "sl" does not end with ":"'],
      [row('01').replace('   0:', '  -1:'), 'column "sl" is not a decimal number'],
      [`${row('01')}\n`, 'line 3: column "sl" is missing'],
    ];
    for (const [rows, message] of cases) {
      expect(parseErrorOf(() => parseNetInet(TCP_HEADER + rows, tcp4)).message).toContain(message);
    }
  });

  it('rejects a table whose last line has no newline: it was cut short', () => {
    expect(
      parseErrorOf(() => parseNetInet(TCP_HEADER + row('01').trimEnd(), tcp4)).message,
    ).toContain('line 2 has no newline');
    expect(parseErrorOf(() => parseNetInet(TCP_HEADER.trimEnd(), tcp4)).message).toContain(
      'line 1 has no newline',
    );
    expect(parseErrorOf(() => parseNetInet('', tcp4)).message).toContain('input is empty');
  });

  it('rejects a header that is not the one for the protocol and family asked for', () => {
    const udp4 = { family: 'inet', protocol: 'udp' } as const;
    expect(parseErrorOf(() => parseNetInet(TCP6_HEADER, tcp4)).message).toContain(
      'header: expected column "rem_address"',
    );
    expect(parseErrorOf(() => parseNetInet(TCP_HEADER, tcp6)).message).toContain(
      'header: expected column "remote_address"',
    );
    expect(parseErrorOf(() => parseNetInet(TCP_HEADER, udp4)).message).toContain(
      'header: expected column "ref"',
    );
    expect(parseErrorOf(() => parseNetInet(UDP_HEADER, tcp4)).message).toContain(
      'header: unexpected column after the last',
    );
    expect(parseErrorOf(() => parseNetInet('Num RefCount Protocol\n', tcp4)).message).toContain(
      'header: expected column "sl"',
    );
    expect(parseErrorOf(() => parseNetInet(`\n${TCP_HEADER}`, tcp4)).offset).toBe(0);
    expect(parseErrorOf(() => parseNetInet(fixture('live-tcp'), udp4)).message).toContain(
      'header: expected column "ref"',
    );
    // udp, udplite and raw tables share one header: between those, the caller's word is all.
    expect(parseNetInet(fixture('live-raw'), udp4)[0]?.protocol).toBe('udp');
  });

  it('rejects options it does not know, and input that is not bytes or text', () => {
    const bad = (options: unknown) =>
      parseErrorOf(() => parseNetInet(TCP_HEADER, options as never));
    expect(bad({ family: 'inet', protocol: 'sctp' }).message).toContain('unknown protocol "sctp"');
    expect(bad({ family: 'inet4', protocol: 'tcp' }).message).toContain('unknown family "inet4"');
    expect(bad(undefined).message).toContain('unknown protocol "undefined"');
    expect(bad({ family: 'inet', protocol: 'toString' }).message).toContain('unknown protocol');
    expect(parseErrorOf(() => parseNetInet(42 as never, tcp4)).kind).toBe('net/tcp');
    expect(parseErrorOf(() => parseNetInet(null as never, { ...tcp4, protocol: 'raw' })).kind).toBe(
      'net/raw',
    );
  });
});

describe('inetSocketStateName', () => {
  it('names the kernel states and nothing else', () => {
    expect(inetSocketStateName(1)).toBe('ESTABLISHED');
    expect(inetSocketStateName(7)).toBe('CLOSE');
    expect(inetSocketStateName(10)).toBe('LISTEN');
    expect(inetSocketStateName(12)).toBe('NEW_SYN_RECV');
    expect(inetSocketStateName(13)).toBe('BOUND_INACTIVE');
    for (const other of [0, 14, 255, -1, 1.5, Number.NaN]) {
      expect(inetSocketStateName(other)).toBe('UNKNOWN');
    }
    expect(Object.keys(INET_SOCKET_STATE_NAMES)).toHaveLength(13);
    expect(INET_SOCKET_STATE_NAMES[6]).toBe('TIME_WAIT');
    expect(Object.isFrozen(INET_SOCKET_STATE_NAMES)).toBe(true);
  });
});

describe('parseNetInet properties', () => {
  const allOptions: ParseNetInetOptions[] = (['tcp', 'udp', 'raw', 'udplite'] as const).flatMap(
    (protocol) => (['inet', 'inet6'] as const).map((family) => ({ protocol, family })),
  );

  it('returns a value or throws ParseError for any bytes and any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 2000 })),
        fc.constantFrom(...allOptions),
        (input, options) => valueOrParseError(() => parseNetInet(input, options)),
      ),
    );
  });

  it('returns a value or throws ParseError for damaged real tables', () => {
    const tables = allOptions.map((options) => ({
      options,
      bytes: fixture(`live-${options.protocol}${options.family === 'inet6' ? '6' : ''}`),
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...tables),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 255 })), { maxLength: 8 }),
        ({ options, bytes }, edits) => {
          const damaged = Array.from(bytes);
          for (const [position, value] of edits) {
            const at = position % (damaged.length + 1);
            // -1 deletes a byte; otherwise replace it (or append at the end).
            if (value < 0) damaged.splice(at, 1);
            else damaged[at] = value;
          }
          valueOrParseError(() => parseNetInet(Uint8Array.from(damaged), options));
        },
      ),
      { numRuns: 2000 },
    );
  });

  type Generated = Omit<InetSocketEntry, 'localAddress' | 'remoteAddress' | 'stateName'> & {
    local: Uint8Array;
    remote: Uint8Array;
  };

  /** A row as the kernel's seq_printf writes it, for the entry's protocol and family. */
  const kernelRow = (entry: Generated, littleEndian: boolean) => {
    const hex = (value: number, width: number) =>
      value.toString(16).toUpperCase().padStart(width, '0');
    const address = (bytes: Uint8Array) => {
      let out = '';
      for (let i = 0; i < bytes.length; i += 4) {
        const word = littleEndian
          ? (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0
          : ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>>
            0;
        out += hex(word, 8);
      }
      return out;
    };
    const slot = String(entry.slot).padStart(entry.protocol === 'udp' ? 5 : 4, ' ');
    const head = `${slot}: ${address(entry.local)}:${hex(entry.localPort, 4)} ${address(entry.remote)}:${hex(entry.remotePort, 4)} ${hex(entry.state, 2)} ${hex(entry.txQueue, 8)}:${hex(entry.rxQueue, 8)} ${hex(entry.timerActive, 2)}:${hex(entry.timerExpiresTicks, 8)} ${hex(entry.retransmits, 8)} ${String(entry.uid).padStart(5, ' ')} ${String(entry.timeout).padStart(8, ' ')} ${entry.inode} ${entry.refCount} 00000000deadbeef`;
    return entry.protocol === 'tcp' ? `${head} 20 4 0 10 -1` : `${head} ${entry.drops}`;
  };

  it('reads back every field of rows written the way the kernel writes them', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const ipv4Text = (b: Uint8Array) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
    const entry = fc.record({
      protocol: fc.constantFrom<InetProtocol>('tcp', 'udp', 'raw', 'udplite'),
      family: fc.constantFrom<InetFamily>('inet', 'inet6'),
      slot: fc.nat({ max: 100000 }),
      local: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      remote: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      localPort: fc.nat({ max: 0xffff }),
      remotePort: fc.nat({ max: 0xffff }),
      state: fc.nat({ max: 0xff }),
      txQueue: u32,
      rxQueue: u32,
      timerActive: fc.nat({ max: 4 }),
      timerExpiresTicks: u32,
      retransmits: u32,
      uid: u32,
      timeout: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      inode: u32,
      refCount: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      drops: u32,
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.boolean(), (rows, le) => {
        const { protocol, family } = rows[0]!;
        // One table holds one protocol and family.
        const width = family === 'inet' ? 4 : 16;
        const same: Generated[] = rows.map((row) => ({
          ...row,
          protocol,
          family,
          local: row.local.slice(0, width),
          remote: row.remote.slice(0, width),
        }));
        const header =
          protocol === 'tcp'
            ? family === 'inet'
              ? TCP_HEADER
              : TCP6_HEADER
            : family === 'inet'
              ? UDP_HEADER
              : UDP6_HEADER;
        const text = header + same.map((row) => `${kernelRow(row, le)}\n`).join('');
        const parsed = parseNetInet(text, { protocol, family, littleEndian: le });
        expect(parsed).toStrictEqual(
          same.map(({ local, remote, drops, ...rest }) => ({
            ...rest,
            localAddress: family === 'inet' ? ipv4Text(local) : formatIPv6(local),
            remoteAddress: family === 'inet' ? ipv4Text(remote) : formatIPv6(remote),
            stateName: inetSocketStateName(rest.state),
            ...(protocol === 'tcp' ? {} : { drops }),
          })),
        );
      }),
      { numRuns: 500 },
    );
  });
});

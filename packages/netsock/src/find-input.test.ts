// Bad queries: each a typed error naming the field, thrown by find and rejected by findAsync,
// before anything is read.
import { describe, expect, test } from 'vitest';
import type { ConnectionQuery } from './connection-query.js';
import { SocketResolver } from './resolver.js';

const good: ConnectionQuery = {
  protocol: 'tcp',
  localAddress: '127.0.0.1',
  localPort: 5432,
  remoteAddress: '127.0.0.1',
  remotePort: 40000,
};
const as = (query: Record<string, unknown>) => query as unknown as ConnectionQuery;

const cases: [string, ConnectionQuery, ErrorConstructor, string][] = [
  ['no object', as(null as never), TypeError, 'the query must be an object, got null'],
  [
    'protocol sctp',
    as({ ...good, protocol: 'sctp' }),
    TypeError,
    "protocol must be 'tcp', 'udp' or 'udplite', got \"sctp\"",
  ],
  ['protocol missing', as({ ...good, protocol: undefined }), TypeError, 'protocol must be'],
  [
    'localPort -1',
    { ...good, localPort: -1 },
    RangeError,
    'localPort must be an integer 0..65535, got -1',
  ],
  [
    'localPort 65536',
    { ...good, localPort: 65536 },
    RangeError,
    'localPort must be an integer 0..65535, got 65536',
  ],
  [
    'localPort 1.5',
    { ...good, localPort: 1.5 },
    RangeError,
    'localPort must be an integer 0..65535, got 1.5',
  ],
  [
    'localPort text',
    as({ ...good, localPort: '80' }),
    RangeError,
    'localPort must be an integer 0..65535, got "80"',
  ],
  [
    'remotePort NaN',
    { ...good, remotePort: Number.NaN },
    RangeError,
    'remotePort must be an integer 0..65535, got NaN',
  ],
  [
    'localAddress a name',
    { ...good, localAddress: 'localhost' },
    TypeError,
    'localAddress must be an IP address, got "localhost"',
  ],
  [
    'localAddress 256.0.0.1',
    { ...good, localAddress: '256.0.0.1' },
    TypeError,
    'localAddress must be an IP address',
  ],
  [
    'localAddress missing',
    as({ ...good, localAddress: undefined }),
    TypeError,
    'localAddress must be an IP address string, got undefined',
  ],
  [
    'remoteAddress with a zone',
    { ...good, localAddress: 'fe80::1', remoteAddress: 'fe80::2%eth0' },
    TypeError,
    'remoteAddress must be an IP address without a zone',
  ],
  [
    'remoteAddress a number',
    as({ ...good, remoteAddress: 2130706433 }),
    TypeError,
    'remoteAddress must be an IP address string',
  ],
  [
    'IPv4 local, IPv6 remote',
    { ...good, remoteAddress: '2001:db8::1' },
    TypeError,
    'remoteAddress 2001:db8::1 is IPv6, but localAddress 127.0.0.1 is IPv4',
  ],
  [
    'IPv6 local, IPv4 remote',
    { ...good, localAddress: '::1' },
    TypeError,
    'remoteAddress 127.0.0.1 is IPv4, but localAddress ::1 is IPv6',
  ],
  [
    'remoteAddress without remotePort',
    as({ ...good, remotePort: undefined }),
    TypeError,
    'remotePort must be given with remoteAddress',
  ],
  [
    'remotePort without remoteAddress',
    as({ ...good, remoteAddress: undefined }),
    TypeError,
    'remoteAddress must be given with remotePort',
  ],
  [
    'remote port 0 with an address',
    { ...good, remotePort: 0 },
    RangeError,
    'remotePort must be 1..65535 with the remoteAddress 127.0.0.1, got 0',
  ],
  [
    'a port with the wildcard remote',
    { ...good, remoteAddress: '0.0.0.0' },
    RangeError,
    'remotePort must be 0 with the wildcard remoteAddress 0.0.0.0, got 40000',
  ],
  ['cookie a number', as({ ...good, cookie: 5 }), TypeError, 'cookie must be a bigint, got 5'],
  ['cookie negative', { ...good, cookie: -1n }, RangeError, 'cookie must be 0..2^64-2, got -1'],
  [
    'cookie all ones (no cookie to the kernel)',
    { ...good, cookie: (1n << 64n) - 1n },
    RangeError,
    'cookie must be 0..2^64-2',
  ],
];

describe.each(['auto', 'procfs'] as const)('bad queries, %s backend', (backend) => {
  // 'auto' is netlink where the addon loads; the checks come before any read either way.
  const resolver = new SocketResolver({ backend });
  test.each(cases)('%s', async (_name, query, type, message) => {
    expect(() => resolver.find(query)).toThrow(type);
    expect(() => resolver.find(query)).toThrow(message);
    const rejected = await resolver.findAsync(query).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejected).toBeInstanceOf(type);
    expect((rejected as Error).message).toContain(message);
  });

  test('findByCookie checks its cookie', async () => {
    expect(() => resolver.findByCookie(7 as unknown as bigint)).toThrow(TypeError);
    expect(() => resolver.findByCookie(-2n)).toThrow('cookie must be 0..2^64-2, got -2');
    await expect(resolver.findByCookieAsync('1' as unknown as bigint)).rejects.toThrow(
      'cookie must be a bigint, got "1"',
    );
  });

  test('wildcard remote sides mean "no remote side", in either family', () => {
    // Checked, not refused: these are listener queries.
    for (const remoteAddress of ['0.0.0.0', '::']) {
      expect(() => resolver.find({ ...good, remoteAddress, remotePort: 0 })).not.toThrow();
    }
  });
});

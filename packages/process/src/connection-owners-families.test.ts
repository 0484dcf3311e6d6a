// A UDP tuple's rivals across the inet families, live, with sockets this test binds (known truth:
// which sockets share the port). An IPv6 tuple's check dumps inet6 only, so it must still see an
// IPv6 rival and no IPv4 socket on the same port number; an IPv4 tuple's check must still see an
// IPv6 dual-stack rival bound to `::`.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { fdsHolding } from '../../../test-support/socket-links.js';
import { connectionOwners, connectionOwnersAsync } from './connection-owners.js';

const styles: [string, typeof connectionOwnersAsync][] = [
  ['sync', async (query, options) => connectionOwners(query, options)],
  ['async', connectionOwnersAsync],
];

const open: Socket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

function bind(type: 'udp4' | 'udp6', port: number, address: string, ipv6Only = false) {
  const socket = createSocket({ type, reuseAddr: true, ipv6Only });
  open.push(socket);
  return new Promise<number>((resolve) =>
    socket.bind(port, address, () => resolve(socket.address().port)),
  );
}

const placesOf = (rivals: { family: string; localAddress?: string }[] | undefined) =>
  (rivals ?? []).map((r) => `${r.family} ${r.localAddress}`).sort();

describe.each(styles)('UDP rivals across families (%s)', (_style, owners) => {
  it('an IPv6 tuple: a rival on :: makes it ambiguous; an IPv4 socket on the port number does not', async () => {
    const port = await bind('udp6', 0, '::1', true);
    await bind('udp4', port, '127.0.0.1');
    const query = { protocol: 'udp' as const, localAddress: '::1', localPort: port };
    // Only the IPv4 socket shares the port number: the IPv6 socket is named.
    const alone = await owners(query);
    expect(alone.socket?.localAddress).toBe('::1');
    expect(alone.reason).toBeUndefined();
    expect(alone.holders.map((h) => [h.pid, h.fd])).toEqual(
      fdsHolding(process.pid, alone.socket?.inode as number).map((fd) => [process.pid, fd]),
    );
    // A dual-stack socket on [::]:port could have sent it too.
    await bind('udp6', port, '::');
    const shared = await owners(query);
    expect(shared.reason).toBe('ambiguous');
    expect(shared.holders).toEqual([]);
    expect(placesOf(shared.rivals)).toEqual(['inet6 ::']);
  });

  it('an IPv4 tuple: a dual-stack rival on :: makes it ambiguous', async () => {
    const port = await bind('udp4', 0, '127.0.0.1');
    await bind('udp6', port, '::');
    const found = await owners({ protocol: 'udp', localAddress: '127.0.0.1', localPort: port });
    expect(found.socket?.localAddress).toBe('127.0.0.1');
    expect(found.reason).toBe('ambiguous');
    expect(placesOf(found.rivals)).toEqual(['inet6 ::']);
  });
});

// Opens a known set of sockets for the /proc/net fixtures (see net-capture.sh), prints "ready"
// once every connection is in the state it should be captured in, and stays until stdin closes.
import { createSocket } from 'node:dgram';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const held = [];
const listen = (options) =>
  new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true }, (socket) => held.push(socket));
    server.once('error', reject);
    server.listen(options, () => resolve(server));
  });
const dial = (options) =>
  new Promise((resolve, reject) => {
    const socket = connect({ ...options, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });
const udp = (type, address, port, peer) =>
  new Promise((resolve) => {
    const socket = createSocket({ type, ipv6Only: type === 'udp6' });
    socket.bind({ address, port }, () => {
      if (!peer) return resolve(socket);
      socket.connect(peer.port, peer.address, () => resolve(socket));
    });
  });
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// TCP, IPv4: a listener with one open connection, one half-closed by the client (FIN_WAIT2 on
// the client, CLOSE_WAIT on the server), and one closed by the client first (TIME_WAIT).
await listen({ host: '127.0.0.1', port: 47011 });
const open4 = await dial({ host: '127.0.0.1', port: 47011, localPort: 47101 });
const half4 = await dial({ host: '127.0.0.1', port: 47011, localPort: 47102 });
half4.end();
const gone4 = await dial({ host: '127.0.0.1', port: 47011, localPort: 47103 });
gone4.destroy();
held.push(open4, half4);

// TCP, IPv6: loopback, a dual-stack listener on :: reached over IPv4 (the accepted socket is
// IPv6 with IPv4-mapped addresses), and listeners on addresses with long zero runs.
await listen({ host: '::1', port: 47012, ipv6Only: true });
held.push(await dial({ host: '::1', port: 47012, localPort: 47104 }));
await listen({ host: '::', port: 47013, ipv6Only: false });
held.push(await dial({ host: '127.0.0.1', port: 47013, localPort: 47105 }));
await listen({ host: '2001:db8::', port: 47021, ipv6Only: true });
held.push(await dial({ host: '2001:db8::', port: 47021, localPort: 47106 }));
await listen({ host: '2001:db8::1:0:0:1', port: 47022, ipv6Only: true });
await listen({ host: '2001:db8:0:1:1:1:1:1', port: 47023, ipv6Only: true });

// UDP: unconnected (state 7) and connected (state 1), both families.
held.push(await udp('udp4', '127.0.0.1', 47014));
held.push(await udp('udp4', '127.0.0.1', 47015, { address: '127.0.0.1', port: 47014 }));
held.push(await udp('udp6', '::1', 47016));
held.push(await udp('udp6', '2001:db8::', 47017, { address: '::1', port: 47016 }));

// Unix: a stream listener whose path has spaces, with one client; an abstract listener.
mkdirSync('/tmp/procmon-net-fixture', { recursive: true });
await listen({ path: '/tmp/procmon-net-fixture/listen sock here' });
held.push(await dial({ path: '/tmp/procmon-net-fixture/listen sock here' }));
await listen({ path: '\0procmon-abstract' });

await settle(300);
process.stdout.write(`ready ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

// Captures real sock_diag replies for the golden tests: run as root from the package folder,
// after `pnpm build`, as
//   unshare -n node test/capture-fixtures.mjs
// In a fresh network namespace (so the tables hold only the sockets made here) it brings up
// loopback, opens a few known sockets, sends each request and writes the request and every reply
// datagram to test/fixtures/<name>/ (request.bin, reply-0.bin, ...), plus sockets.json saying
// which sockets were opened (the inodes the expected output in the tests was written from).
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import {
  encodeInetDiagRequest,
  encodeRequest,
  encodeTcpDiagCompatRequest,
  encodeUnixDiagRequest,
} from '../dist/index.js';

const addon = createRequire(import.meta.url)('../build/Release/netsock.node');
execFileSync('ip', ['link', 'set', 'lo', 'up']);

const listen = (server, ...args) => new Promise((resolve) => server.listen(...args, resolve));
const tcp = net.createServer((socket) => sockets.push(socket));
const sockets = [];
await listen(tcp, 4242, '127.0.0.1');
const client = net.connect(4242, '127.0.0.1');
await new Promise((resolve) => client.once('connect', resolve));
const tcp6 = net.createServer();
await listen(tcp6, 4243, '::1');
const udp = dgram.createSocket('udp4');
await new Promise((resolve) => udp.bind(5353, '127.0.0.1', resolve));
const unix = net.createServer();
await listen(unix, '\0procmon-golden');
await new Promise((resolve) => setTimeout(resolve, 100));

const fdInodes = {};
for (const fd of readdirSync('/proc/self/fd')) {
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`);
    if (target.startsWith('socket:')) fdInodes[fd] = target;
  } catch {}
}

const fixtures = new URL('./fixtures/', import.meta.url);
function capture(name, type, flags, payload) {
  const dir = new URL(`${name}/`, fixtures);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fd = addon.open();
  const request = encodeRequest(type, flags, 1000, payload);
  writeFileSync(new URL('request.bin', dir), request);
  addon.send(fd, request);
  const buffer = new Uint8Array(65536);
  for (let i = 0; ; i++) {
    const n = addon.recv(fd, buffer);
    writeFileSync(new URL(`reply-${i}.bin`, dir), buffer.subarray(0, n));
    const view = new DataView(buffer.buffer);
    let done = false;
    for (let at = 0; at < n; at += (view.getUint32(at, true) + 3) & ~3) {
      const t = view.getUint16(at + 4, true);
      const f = view.getUint16(at + 6, true);
      if (t === 3 || t === 2 || (f & 2) === 0) done = true;
    }
    if (done) break;
  }
  addon.close(fd);
}
const DUMP = 0x301;
capture('tcp-compat-dump', 18, DUMP, encodeTcpDiagCompatRequest(0xffffffff));
capture(
  'udp4-dump',
  20,
  DUMP,
  encodeInetDiagRequest({ family: 2, protocol: 17, states: 0xffffffff }),
);
capture('unix-dump', 20, DUMP, encodeUnixDiagRequest({ states: 0xffffffff, show: 0x55 }));
capture(
  'raw4-dump',
  20,
  DUMP,
  encodeInetDiagRequest({ family: 2, protocol: 255, states: 0xffffffff }),
);
const unixInode = Number(/\d+/.exec(Object.values(fdInodes).at(-1))[0]);
capture(
  'unix-get',
  20,
  1,
  encodeUnixDiagRequest({ states: 0xffffffff, show: 0x55, inode: unixInode }),
);
capture(
  'unix-get-missing',
  20,
  1,
  encodeUnixDiagRequest({ states: 0xffffffff, show: 0x55, inode: 1 }),
);
writeFileSync(
  new URL('sockets.json', fixtures),
  `${JSON.stringify({ fdInodes, unixInode }, null, 2)}\n`,
);
process.exit(0);

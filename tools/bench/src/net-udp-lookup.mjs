// Where a warm UDP lookup by tuple spends its time (issue #13: "one lookup by tuple, index warm:
// under 100 µs"). A python3 child holds 1,001 unconnected UDP sockets on 127.0.0.1 (and one
// IPv6-only on ::1, for the IPv6 rows); each row is
// one step of `connectionOwners` for the first of them (the kernel's exact lookup, the dump of
// the UDP sockets on its port for the ambiguity check, the warm holder index), next to the same
// netlink exchanges made bare through the addon (the floor: the kernel's work and the syscalls).
// Usage: node --expose-gc tools/bench/src/net-udp-lookup.mjs [rounds]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SocketResolver } from '@procmon/netsock';
import { encodeInetDiagRequest, encodeRequest, encodeTupleRequest } from '@procmon/netsock/netlink';
import { connectionOwners, SocketHolderIndex } from '@procmon/process';
import { PYTHON } from './processes.mjs';

const UDP_SOCKETS = 1001;
const ROUNDS = Number(process.argv[2] ?? 5);
const CALLS = 2000;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_UDP = 17;

const HOLDER = `
import socket, sys
held = []
for _ in range(${UDP_SOCKETS}):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    held.append(s)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
v6.bind(('::1', 0))
print('ready', held[0].getsockname()[1], v6.getsockname()[1], len(held), flush=True)
sys.stdin.read()
`;

/** python3 holding the sockets: resolves { child, port, port6 } once they are all bound. */
function startHolder() {
  const child = spawn(PYTHON, ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /^ready (\d+) (\d+) (\d+)\n/.exec(out);
      if (match && Number(match[3]) === UDP_SOCKETS)
        resolve({ child, port: Number(match[1]), port6: Number(match[2]) });
      else if (match) reject(new Error(`the holder bound ${match[3]} sockets`));
    });
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
}

/** The netsock addon itself: send and recv with no flow, decoder or checks around them. */
function bareExchanges(port) {
  const require = createRequire(import.meta.url);
  const addon = require(
    join(dirname(require.resolve('@procmon/netsock')), '..', 'build/Release/netsock.node'),
  );
  const fd = addon.open();
  const buffer = new Uint8Array(64 * 1024);
  const view = new DataView(buffer.buffer);
  let seq = 1;
  const loopback = new Uint8Array(16);
  loopback.set([127, 0, 0, 1]);
  const until = (done) => {
    for (;;) {
      addon.recv(fd, buffer);
      if (done(view.getUint16(4, true))) return;
    }
  };
  const exact = () => {
    const payload = encodeTupleRequest({
      family: AF_INET,
      protocol: IPPROTO_UDP,
      protocolName: 'udp',
      kind: 'net/udp',
      local: loopback,
      localPort: port,
      remote: new Uint8Array(16),
      remotePort: 0,
    });
    addon.send(fd, encodeRequest(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, ++seq, payload));
    until(() => true);
  };
  const dump = (family) => () => {
    const payload = encodeInetDiagRequest({
      family,
      protocol: IPPROTO_UDP,
      states: 0xffffffff,
      localPort: port,
    });
    addon.send(fd, encodeRequest(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, ++seq, payload));
    until((type) => type === NLMSG_DONE || type === NLMSG_ERROR);
  };
  return { exact, inet: dump(AF_INET), inet6: dump(AF_INET6), close: () => addon.close(fd) };
}

/** Median µs per call of `run`, CALLS calls after a warm-up. */
function timeRow(run) {
  for (let i = 0; i < 200; i++) run();
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) run();
  return Number(process.hrtime.bigint() - start) / CALLS / 1e3;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const holder = await startHolder();
const resolver = new SocketResolver({ backend: 'netlink' });
const index = new SocketHolderIndex({ procfs: resolver.procfs });
const query = { protocol: 'udp', localAddress: '127.0.0.1', localPort: holder.port };
const query6 = { protocol: 'udp', localAddress: '::1', localPort: holder.port6 };
/** The warm-up call's answer for `q`, which must name the holder. */
function checked(q) {
  const result = connectionOwners(q, { index, resolver });
  if (!result.holders.some((h) => h.pid === holder.child.pid))
    throw new Error(`wrong answer: ${JSON.stringify(result.reason)} ${result.explanation ?? ''}`);
  return result.socket;
}
const socket = checked(query);
checked(query6);
const bare = bareExchanges(holder.port);
const rows = [
  ['bare addon: exact lookup (AF_INET), one send + recv', bare.exact],
  ['bare addon: dump AF_INET UDP, port bytecode', bare.inet],
  ['bare addon: dump AF_INET6 UDP, port bytecode', bare.inet6],
  ['netsock `resolver.find(tuple)`', () => resolver.find(query)],
  [
    "netsock `resolver.list({ tables: ['udp'], localPort })` (both families)",
    () => resolver.list({ tables: ['udp'], localPort: holder.port }),
  ],
  ['process `index.holders(inode, { uid })`, warm', () => index.holders(socket.inode, socket)],
  [
    '`connectionOwners(tuple, { index, resolver })`, warm',
    () => connectionOwners(query, { index, resolver }),
  ],
  [
    "IPv6 port ::1: `resolver.list({ tables: ['udp'], localPort })` (both families: the check before)",
    () => resolver.list({ tables: ['udp'], localPort: holder.port6 }),
  ],
  [
    "IPv6 port ::1: `resolver.list({ tables: ['udp'], localPort, family: 'inet6' })` (the check now)",
    () => resolver.list({ tables: ['udp'], localPort: holder.port6, family: 'inet6' }),
  ],
  [
    'IPv6 tuple ::1: `connectionOwners(tuple, { index, resolver })`, warm',
    () => connectionOwners(query6, { index, resolver }),
  ],
];
const times = rows.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, run]] of rows.entries()) times[i].push(timeRow(run));
}
bare.close();
resolver.close();
holder.child.kill('SIGKILL');
const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
console.log(
  `UDP sockets held: ${UDP_SOCKETS}; ${ROUNDS} interleaved rounds of ${CALLS} calls; load average at the end ${load.join(' ')}`,
);
console.log('| step | µs per call (median of rounds) | best round |\n|---|--:|--:|');
for (const [i, [name]] of rows.entries()) {
  console.log(`| ${name} | ${median(times[i]).toFixed(1)} | ${Math.min(...times[i]).toFixed(1)} |`);
}

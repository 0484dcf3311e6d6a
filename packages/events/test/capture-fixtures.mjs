// Captures real proc connector datagrams of this kernel into test/fixtures/: runs provoke.py
// with a subscription open (netsock's built dist), keeps the datagrams that name one of its
// pids, and writes them (one .bin per datagram, named by event) with facts.json (what
// provoke.py knew). Run as root: `node test/capture-fixtures.mjs`. The expected decoding is
// written by hand in fixtures/expected.json from facts.json and the bytes.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { openMulticast } from '@procmon/netsock/netlink';

const folder = new URL('./fixtures/', import.meta.url);
const datagrams = [];
const subscription = openMulticast({
  protocol: 11,
  groups: [1],
  onDatagram: (bytes) => datagrams.push(bytes.slice()),
  onLoss: (loss) => console.error('loss', loss),
});
const listen = new Uint8Array(40);
const view = new DataView(listen.buffer);
for (const [at, value] of [
  [0, 40],
  [12, subscription.portId],
  [16, 1],
  [20, 1],
  [36, 1],
])
  view.setUint32(at, value, true);
view.setUint16(4, 3, true);
view.setUint16(32, 4, true);
subscription.send(listen);
await new Promise((resolve) => setTimeout(resolve, 200));
const run = spawnSync('/usr/bin/python3', [new URL('./provoke.py', import.meta.url).pathname], {
  encoding: 'utf8',
});
const facts = JSON.parse(run.stdout);
await new Promise((resolve) => setTimeout(resolve, 500));
subscription.close();

const names = {
  1: 'fork',
  2: 'exec',
  4: 'uid',
  64: 'gid',
  128: 'sid',
  256: 'ptrace',
  512: 'comm',
  1073741824: 'coredump',
  2147483648: 'exit',
};
// Each child by its role; the provoking process itself for its fork of each and its comm.
const roles = new Map(
  Object.entries(facts)
    .filter(([role]) => !['pid', 'comm', 'cored_status'].includes(role))
    .map(([role, pid]) => [pid, role]),
);
const counts = {};
for (const bytes of datagrams) {
  const v = new DataView(bytes.buffer);
  const name = names[v.getUint32(36, true)];
  if (name === undefined) continue;
  const first = v.getInt32(52, true);
  const role =
    name === 'fork' && first === facts.pid
      ? roles.get(v.getInt32(60, true))
      : name === 'comm' && first === facts.pid
        ? 'self'
        : roles.get(first);
  if (role === undefined) continue;
  const file = `${name}-${role}`;
  counts[file] = (counts[file] ?? 0) + 1;
  writeFileSync(new URL(`${file}${counts[file] > 1 ? `-${counts[file]}` : ''}.bin`, folder), bytes);
}
writeFileSync(new URL('facts.json', folder), `${JSON.stringify(facts, null, 2)}\n`);
console.log(facts, counts);

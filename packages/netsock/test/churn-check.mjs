// How often a socket that exists throughout is missing from what a call returns, while other
// processes open and close unix sockets: one read of the tables (`list`, as every call was before
// the second look) against `resolve` (which looks again). Not a test: it burns CPU for a while
// and its figures depend on the machine. Run from the package folder after `pnpm build`:
//   node test/churn-check.mjs [calls=1500] [churners=2]
// A holder keeps 300 unix datagram socket pairs; each churner opens and closes 50 pairs at a
// time, for ever. Each call asks for all the holder's sockets.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { SocketResolver } from '../dist/index.js';

const calls = Number(process.argv[2] ?? 1500);
const churners = Number(process.argv[3] ?? 2);

const HOLD = `import socket, sys
keep = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(300)]
print('ready', flush=True)
sys.stdin.read()`;
const CHURN = `import socket
while True:
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(50)]
    for a, b in pairs: a.close(); b.close()`;

const holder = spawn('python3', ['-c', HOLD], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve) => {
  let text = '';
  holder.stdout.setEncoding('utf8').on('data', (chunk) => {
    text += chunk;
    if (text.includes('\n')) resolve();
  });
});
const others = Array.from({ length: churners }, () =>
  spawn('python3', ['-c', CHURN], { stdio: 'ignore' }),
);
const inodes = [];
for (const fd of readdirSync(`/proc/${holder.pid}/fd`)) {
  const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${holder.pid}/fd/${fd}`));
  if (match) inodes.push(Number(match[1]));
}

const rows = [];
try {
  for (const backend of ['netlink', 'procfs']) {
    const resolver = new SocketResolver({ backend });
    const runs = backend === 'netlink' ? calls : Math.ceil(calls / 10);
    let oneRead = 0;
    let resolved = 0;
    for (let call = 0; call < runs; call++) {
      const listed = new Set(
        resolver.list({ tables: ['unix'], pid: holder.pid }).map((e) => e.inode),
      );
      if (inodes.some((inode) => !listed.has(inode))) oneRead++;
      if (resolver.resolve(inodes, { pid: holder.pid }).size !== inodes.length) resolved++;
    }
    resolver.close();
    rows.push(`| ${backend} | ${runs} | ${oneRead} | ${resolved} |`);
  }
} finally {
  for (const child of [holder, ...others]) child.kill('SIGKILL');
}
console.log(`${inodes.length} held sockets, ${churners} churner(s)\n`);
console.log(
  '| backend | calls | calls that lost a socket: one read (list) | with the second look (resolve) |',
);
console.log('|---|--:|--:|--:|');
for (const row of rows) console.log(row);

// The live process that test/capture-fixtures.mjs copies into test/fixtures/proc. It holds a
// worker thread, a TCP listener (in the capture's private network namespace), a file opened from
// its cwd and a file unlinked while open, then says `ready <pid> <port> <deleted fd>` on stdout
// and waits for stdin to end.
import { openSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';

const worker = new Worker('setInterval(() => {}, 1 << 30);', { eval: true });
writeFileSync('deleted.txt', 'unlinked while open\n');
const deletedFd = openSync('deleted.txt', 'r');
unlinkSync('deleted.txt');

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
await new Promise((resolve) => worker.once('online', resolve));
const address = server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
process.stdout.write(`ready ${process.pid} ${port} ${deletedFd}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

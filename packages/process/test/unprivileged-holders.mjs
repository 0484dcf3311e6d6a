// Run by src/holder-permissions.test.ts as uid/gid 65534 (setpriv):
// `node test/unprivileged-holders.mjs <dist/index.js> <socket-holder.py> <inode of a root socket>`.
// Starts its own python listener (so a uid 65534 process), looks up both sockets through the
// built dist, sync and async, and prints one JSON object with its child's truth (read with plain
// fs) and each lookup.
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [distPath, script, rootInodeText] = process.argv.slice(2);
const { SocketHolderIndex } = await import(pathToFileURL(distPath).href);
const rootInode = Number(rootInodeText);

const child = spawn('python3', [script, 'listen'], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise((resolve, reject) => {
  let text = '';
  child.once('exit', (code) => reject(new Error(`the listener exited (${code})`)));
  child.stdout.on('data', (chunk) => {
    text += chunk;
    if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
  });
});
const report = JSON.parse(line);
const stat = readFileSync(`/proc/${report.pid}/stat`, 'latin1');
const close = stat.lastIndexOf(')');
const truth = {
  pid: report.pid,
  startTime: Number(stat.slice(close + 2).split(' ')[19]),
  fd: report.fd,
  uid: statSync(`/proc/${report.pid}`).uid,
  comm: stat.slice(stat.indexOf('(') + 1, close),
  link: readlinkSync(`/proc/${report.pid}/fd/${report.fd}`),
  inode: report.inode,
};
const uid = process.getuid();
const result = {
  uid,
  truth,
  own: new SocketHolderIndex().holders(report.inode, { uid }),
  ownAsync: await new SocketHolderIndex().holdersAsync(report.inode, { uid }),
  root: new SocketHolderIndex().holders(rootInode, { uid: 0 }),
  rootAsync: await new SocketHolderIndex().holdersAsync(rootInode, { uid: 0 }),
};
child.stdin.end();
process.stdout.write(`${JSON.stringify(result)}\n`);

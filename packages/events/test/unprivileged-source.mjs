// Run by test/scale.test.ts as uid/gid 65534 (setpriv): opens the events of the built dist with
// the default source ('auto'), which cannot subscribe to the proc connector without
// CAP_NET_ADMIN, starts a child that lives long enough for a poll to see it, and prints one JSON
// line: { uid, source, sawChild, childPid }.
// Usage: node unprivileged-source.mjs DIST_INDEX
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const { openProcessEvents } = await import(pathToFileURL(process.argv[2]).href);
const events = openProcessEvents({ pollIntervalMs: 50 });
events.on('error', () => {});
const child = spawn('/bin/sleep', ['2'], { stdio: 'ignore' });
const sawChild = await new Promise((resolve) => {
  const limit = setTimeout(() => resolve(false), 10_000);
  events.on('exec', (event) => {
    if (event.tgid !== child.pid) return;
    clearTimeout(limit);
    resolve(true);
  });
});
child.kill('SIGKILL');
const { kind, reason, misses } = events.source;
events.close();
process.stdout.write(
  `${JSON.stringify({ uid: process.getuid(), source: { kind, reason, misses }, sawChild, childPid: child.pid })}\n`,
);

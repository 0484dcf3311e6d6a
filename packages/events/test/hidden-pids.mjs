// Run by src/polling-source.test.ts as uid/gid 65534 (setpriv) in a mount namespace whose /proc
// is mounted with hidepid=invisible: `node test/hidden-pids.mjs <dist/index.js> <root pid>`.
// Opens ProcessEvents (polling, for want of CAP_NET_ADMIN) and prints one JSON object: its
// source, and whether the root process is among the running ones.
import { pathToFileURL } from 'node:url';

const [distPath, pidText] = process.argv.slice(2);
const { openProcessEvents } = await import(pathToFileURL(distPath).href);
const events = openProcessEvents();
const running = events.running().map((entry) => entry.tgid);
events.close();
process.stdout.write(
  `${JSON.stringify({ uid: process.getuid(), source: events.source, sawRoot: running.includes(Number(pidText)) })}\n`,
);

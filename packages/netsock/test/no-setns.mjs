// Run by src/netns.test.ts without CAP_SYS_ADMIN (setpriv --bounding-set=-sys_admin), through
// the built dist: resolves the given inodes in the namespace of PID and prints one JSON line with
// the backend used for it and what was found. Usage: no-setns.mjs PID INODE...
import { SocketResolver } from '../dist/index.js';

const [pid, ...inodes] = process.argv.slice(2).map(Number);
const resolver = new SocketResolver();
const backend = resolver.backendFor(pid);
const found = resolver.resolve(inodes, { pid });
resolver.close();
console.log(
  JSON.stringify({
    backend,
    entries: [...found.values()].map((e) => ({ ...e, cookie: e.cookie?.toString() })),
  }),
);

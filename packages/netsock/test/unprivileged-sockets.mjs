// Run by src/overlapped.test.ts as uid/gid 65534 (setpriv): `node test/unprivileged-sockets.mjs
// PID` lists the sockets of a root process through the built dist, with the listing overlapped
// (socketsOf, socketsOfAsync) and alone (listSocketDescriptors: what socketsOf did first before),
// and prints one JSON line with each call's error facts.
import { listSocketDescriptors, SocketResolver } from '../dist/index.js';

const pid = Number(process.argv[2]);
const resolver = new SocketResolver({ backend: 'netlink' });
const facts = (error) => ({
  name: error?.name,
  code: error?.code,
  pid: error?.pid,
  path: error?.path,
  message: error?.message,
});
async function attempt(run) {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: facts(error) };
  }
}
const result = {
  uid: process.getuid(),
  listing: await attempt(() => listSocketDescriptors(pid)),
  socketsOf: await attempt(() => resolver.socketsOf(pid)),
  socketsOfAsync: await attempt(() => resolver.socketsOfAsync(pid)),
};
resolver.close();
console.log(JSON.stringify(result));

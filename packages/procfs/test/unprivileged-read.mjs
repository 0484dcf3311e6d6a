// Run by src/permissions.test.ts as an unprivileged user (setpriv --reuid=65534 ...):
// `node test/unprivileged-read.mjs <path of dist/index.js> <pid of a root process>`. Tries the
// reads that need privileges on the root process, sync and async, plus controls that must work,
// and prints one JSON object: for each attempt, what it got or the error. Only the cmdline's bytes
// are printed; of anything else (an environment could hold secrets) only the length.
import { pathToFileURL } from 'node:url';

const [distPath, pidText] = process.argv.slice(2);
const { ProcFS, ProcfsError, PermissionDeniedError, ProcessGoneError } = await import(
  pathToFileURL(distPath).href
);
const pid = Number(pidText);
const procfs = new ProcFS();

const errorFacts = (error) => ({
  name: error?.name,
  code: error?.code,
  pid: error?.pid,
  path: error?.path,
  isProcfsError: error instanceof ProcfsError,
  isPermissionDenied: error instanceof PermissionDeniedError,
  isProcessGone: error instanceof ProcessGoneError,
});
async function attempt(run, showBytes = false) {
  try {
    const value = await run();
    return showBytes
      ? { ok: true, hex: Buffer.from(value).toString('hex') }
      : { ok: true, length: value.length };
  } catch (error) {
    return { ok: false, error: errorFacts(error) };
  }
}

const result = {
  uid: process.getuid(),
  gid: process.getgid(),
  environ: await attempt(() => procfs.readFile(pid, 'environ')),
  environAsync: await attempt(() => procfs.promises.readFile(pid, 'environ')),
  listFds: await attempt(() => procfs.listFds(pid)),
  listFdsAsync: await attempt(() => procfs.promises.listFds(pid)),
  exe: await attempt(() => procfs.readLink(pid, 'exe')),
  exeAsync: await attempt(() => procfs.promises.readLink(pid, 'exe')),
  // Controls: a world-readable file of the same process, and this process's own environ.
  cmdline: await attempt(() => procfs.readFile(pid, 'cmdline'), true),
  ownEnviron: await attempt(() => procfs.readFile(process.pid, 'environ')),
};
process.stdout.write(`${JSON.stringify(result)}\n`);

// Run by src/permissions.test.ts as an unprivileged user (setpriv --reuid=65534 ...):
// `node test/unprivileged-read.mjs <path of dist/index.js> <pid of a root process> [node|native]`
// (the backend of its ProcFS; the default one without it). Tries the
// reads that need privileges on the root process, sync and async, plus controls that must work,
// and prints one JSON object: for each attempt, what it got or the error. Only the cmdline's bytes
// are printed; of anything else (an environment could hold secrets) only the length. It also
// performs the same reads as raw ops on both backends and prints each error's fields, so the
// native backend's EACCES can be compared with node:fs's.
import { pathToFileURL } from 'node:url';

const [distPath, pidText, backendName] = process.argv.slice(2);
const { ProcFS, ProcfsError, PermissionDeniedError, ProcessGoneError, nativeBackend, nodeBackend } =
  await import(pathToFileURL(distPath).href);
const pid = Number(pidText);
const backends = { node: nodeBackend, native: nativeBackend() };
const procfs = new ProcFS({ backend: backendName ? backends[backendName] : undefined });

const errorFacts = (error) => ({
  name: error?.name,
  code: error?.code,
  pid: error?.pid,
  path: error?.path,
  isProcfsError: error instanceof ProcfsError,
  isPermissionDenied: error instanceof PermissionDeniedError,
  isProcessGone: error instanceof ProcessGoneError,
});
/** The denied reads as raw ops on each backend, sync and async: each error's fields. */
async function rawErrors() {
  const ops = [
    { kind: 'read', path: `${pid}/environ`, maxBytes: 1 << 20 },
    { kind: 'readdir', path: `${pid}/fd` },
    { kind: 'links', path: `${pid}/fd` },
    { kind: 'readlink', path: `${pid}/exe` },
    { kind: 'stat', path: `${pid}/root/` },
  ];
  const facts = (outcome) =>
    outcome.ok
      ? { ok: true }
      : {
          type: outcome.error?.constructor?.name,
          message: outcome.error?.message,
          code: outcome.error?.code,
          errno: outcome.error?.errno,
          syscall: outcome.error?.syscall,
          path: outcome.error?.path,
        };
  const result = {};
  for (const [name, backend] of Object.entries(backends)) {
    if (!backend) continue;
    result[name] = {
      sync: ops.map((op) => facts(backend.perform(op, '/proc'))),
      async: (await Promise.all(ops.map((op) => backend.performAsync(op, '/proc')))).map(facts),
    };
  }
  return result;
}

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
  backend: procfs.backend.name,
  rawErrors: await rawErrors(),
};
process.stdout.write(`${JSON.stringify(result)}\n`);

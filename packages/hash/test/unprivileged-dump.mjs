// Run by src/permissions.test.ts as an unprivileged user (setpriv --reuid=65534 ...):
// `node test/unprivileged-dump.mjs <path of dist/index.js> <pid of a root process> <its binary>`.
// Tries dumpImage and processChecksum on the root process, sync and async, and, as a control
// that must work, dumpImage of this process's own binary; prints one JSON object: for each
// attempt, what it got (region count and byte length only) or the error.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [distPath, pidText, binary] = process.argv.slice(2);
const hash = await import(pathToFileURL(distPath).href);
const procfs = await import('@procmon/procfs');
const pid = Number(pidText);

const errorFacts = (error) => ({
  name: error?.name,
  code: error?.code,
  pid: error?.pid,
  isPermissionDenied: error instanceof procfs.PermissionDeniedError,
  isProcessGone: error instanceof procfs.ProcessGoneError,
  isHashError: error instanceof hash.HashError,
});

async function attempt(run) {
  try {
    const value = await run();
    if (value && 'regions' in value) {
      return { ok: true, regions: value.regions.length, length: value.bytes.length };
    }
    return { ok: true, source: value?.source, checksums: value?.checksums };
  } catch (error) {
    return { ok: false, error: errorFacts(error) };
  }
}

const self = realpathSync(process.execPath);
const result = {
  uid: process.getuid(),
  gid: process.getgid(),
  dump: await attempt(() => hash.dumpImage(pid, binary)),
  dumpAsync: await attempt(() => hash.dumpImageAsync(pid, binary)),
  checksum: await attempt(() => hash.processChecksum(pid, ['sha256'])),
  checksumAsync: await attempt(() => hash.processChecksumAsync(pid, ['sha256'])),
  // Control: this process's own image (same user) must read.
  ownDump: await attempt(() => hash.dumpImage(process.pid, self)),
};
process.stdout.write(`${JSON.stringify(result)}\n`);

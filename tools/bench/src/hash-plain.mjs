// The plain Node loop the hash bench uses as a reference: what anyone would write with node:crypto
// and node:fs, with no checks and no error mapping.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;
const buffer = new Uint8Array(CHUNK);

/** readSync into a reused 1 MiB buffer, each chunk fed to one hash per algorithm; hex digests. */
export function plainHashFile(path, algorithms) {
  const hashes = algorithms.map((a) => createHash(a));
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const count = readSync(fd, buffer, 0, CHUNK, null);
      if (count === 0) break;
      const chunk = count === CHUNK ? buffer : buffer.subarray(0, count);
      for (const hash of hashes) hash.update(chunk);
    }
  } finally {
    closeSync(fd);
  }
  const checksums = {};
  for (const [i, a] of algorithms.entries()) checksums[a] = hashes[i].digest('hex');
  return checksums;
}

// Reading an open file into its checksums: a pass over the file with fstat before and after,
// capped in size and stopped by an abort signal between chunks.
import type { BigIntStats } from 'node:fs';
import { type Checksums, MultiHash } from './algorithms.js';
import { HashError, shownPath } from './errors.js';
import { CHUNK_BYTES, type Flow, fstatOf, readAt } from './flow.js';
import { checkSize, type OpenFile, tooLarge } from './open-file.js';
import { type Limits, throwIfAborted } from './options.js';

/** @internal A read that saw no change: its checksums and the file's stat during it. */
export interface StableRead {
  checksums: Checksums;
  stats: BigIntStats;
}

/**
 * @internal The checksums of an open file, with fstat before and after the read: a change means
 * one more read, a second change a HashError with code ECHANGED. EFBIG when the file is or grows
 * larger than the cap.
 */
export function* stableRead(
  file: OpenFile,
  algorithms: readonly string[],
  limits: Limits,
): Flow<StableRead> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = yield* fstatOf(file.fd);
    checkSize(before, limits.maxBytes, file.path);
    const checksums = yield* readPass(file, algorithms, limits);
    const after = yield* fstatOf(file.fd);
    if (sameContent(before, after)) return { checksums, stats: after };
  }
  throw changedError(file.path);
}

/** @internal One pass over an open file from its start, at most `maxBytes` long. */
export function* readPass(
  file: OpenFile,
  algorithms: readonly string[],
  limits: Limits,
): Flow<Checksums> {
  const hash = new MultiHash(algorithms);
  let position = 0;
  for (;;) {
    throwIfAborted(limits.signal);
    // One byte past the cap is asked for: it is how a file that grew past it shows.
    const length = Math.min(CHUNK_BYTES, limits.maxBytes + 1 - position);
    const bytes = yield* readAt(file.fd, position, length);
    if (bytes.length === 0) break;
    position += bytes.length;
    if (position > limits.maxBytes)
      throw tooLarge(file.path, 'grew while it was read', limits.maxBytes);
    hash.update(bytes);
  }
  return hash.digest();
}

/** @internal Whether two fstats of one descriptor say the file did not change between them. */
export function sameContent(before: BigIntStats, after: BigIntStats): boolean {
  return (
    before.size === after.size &&
    before.mtimeNs === after.mtimeNs &&
    before.ctimeNs === after.ctimeNs
  );
}

function changedError(path: string | Uint8Array): HashError {
  const shown = shownPath(path);
  return new HashError(
    `cannot hash ${shown}: it changed while it was read, twice (size, mtime or ctime moved); it has no single checksum`,
    { path: shown, code: 'ECHANGED' },
  );
}

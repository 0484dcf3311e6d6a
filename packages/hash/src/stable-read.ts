// Reading an open file into its checksums so that they are of content the file held: passes
// over the file with fstat before and after each, as many as the read policy asks, capped in
// size and stopped by an abort signal between chunks.
import type { BigIntStats } from 'node:fs';
import type { Flow } from '@procmon/procfs';
import { type Checksums, MultiHash } from './algorithms.js';
import { HashError, shownPath } from './errors.js';
import { CHUNK_BYTES, fstatOf, pause, readAt } from './file-ops.js';
import { checkSize, type OpenFile, tooLarge } from './open-file.js';
import { type Limits, throwIfAborted } from './options.js';
import { msUntilSettled, readsNeeded } from './read-policy.js';

/** @internal A verified read: its checksums and the file's stat during it. */
export interface StableRead {
  checksums: Checksums;
  stats: BigIntStats;
}

/**
 * @internal How a file must be read: `verify` as the read policy says (once for a settled file
 * only root may write, else twice with equal results); `once` when the caller proves by other
 * means that the file cannot change (a running binary, while its process lives).
 */
export type ReadMode = 'once' | 'verify';

/**
 * Changes seen (a pass during which the stat moved, or two passes that disagree) before the file
 * is given up: a file that is rewritten all the time has no single checksum.
 */
const MAX_CHANGES = 2;

/** How often a file that must settle is looked at (fstat) while it is waited for. */
const POLL_MS = 10;

/**
 * Passes before the file is given up whatever happened: the rules above need at most five (one
 * change, two passes, a wait, a third); this bounds them should the clock jump back.
 */
const MAX_PASSES = 6;

/**
 * @internal The checksums of an open file, read as `mode` says. In `verify` mode two passes
 * that agree are believed at once only if the file's ctime is older than RECENT_CHANGE_MS (see
 * read-policy.ts); otherwise the file is watched until it is, then read once more, and that pass
 * must agree too. HashError CHANGED after MAX_CHANGES changes, EFBIG when the file is or grows
 * larger than the cap.
 */
export function* stableRead(
  file: OpenFile,
  algorithms: readonly string[],
  limits: Limits,
  mode: ReadMode,
): Flow<StableRead> {
  let changes = 0;
  const changed = () => {
    if (++changes >= MAX_CHANGES) throw changedError(file.path);
  };
  let previous: StableRead | undefined;
  for (let passes = 1; ; passes++) {
    if (passes > MAX_PASSES) throw changedError(file.path);
    const before = yield* fstatOf(file.fd);
    checkSize(before, limits.maxBytes, file.path);
    const checksums = yield* readPass(file, algorithms, limits);
    const after = yield* fstatOf(file.fd);
    const pass = { checksums, stats: after };
    if (!sameContent(before, after)) {
      changed();
      previous = undefined;
      continue;
    }
    if (previous === undefined) {
      if (mode === 'once' || readsNeeded(before, Date.now()) === 1) return pass;
      previous = pass;
      continue;
    }
    if (!agree(previous, pass)) {
      changed();
      previous = pass;
      continue;
    }
    const wait = msUntilSettled(after, Date.now());
    if (wait === 0) return pass;
    // A write that began before both passes may be stalled: wait for the window, then one more
    // pass must agree.
    if (yield* movesWithin(file, after, wait, limits)) {
      changed();
      previous = undefined;
      continue;
    }
    previous = pass;
  }
}

/** Watches an open file (fstat every POLL_MS) for `ms` milliseconds: whether its stat moved. */
function* movesWithin(
  file: OpenFile,
  stats: BigIntStats,
  ms: number,
  limits: Limits,
): Flow<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return false;
    yield* pause(Math.min(left, POLL_MS));
    throwIfAborted(limits.signal);
    if (!sameContent(stats, yield* fstatOf(file.fd))) return true;
  }
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
    const bytes = yield* readAt(file.fd, position, length, file.buffer);
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

/** Two passes of one file agree: the same digests, and no change between the first's stat and the second's. */
function agree(first: StableRead, second: StableRead): boolean {
  if (!sameContent(first.stats, second.stats)) return false;
  return Object.keys(first.checksums).every(
    (algorithm) => first.checksums[algorithm] === second.checksums[algorithm],
  );
}

function changedError(path: string | Uint8Array): HashError {
  const shown = shownPath(path);
  return new HashError(
    `cannot hash ${shown}: it kept changing while it was read (its size, mtime or ctime moved, or two reads gave different bytes); it has no single checksum`,
    { path: shown, code: 'CHANGED' },
  );
}

// Checksums and the memory image of the binary a process runs, through @procmon/hash, as flows
// that check the process's identity around the hash: checksums of one program are never kept
// for another (execve keeps the pid), nor for a pid that changed hands.

import {
  type ChecksumCache,
  type ChecksumSource,
  type Checksums,
  dumpImage,
  dumpImageAsync,
  type MemoryImage,
  type ProcessChecksum,
  processChecksum,
  processChecksumAsync,
} from '@procmon/hash';
import { external, type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { ProgramChangedError } from './errors.js';
import { checked, type Identity } from './identity.js';
import { MAX_READINGS } from './image.js';
import type { ResolvedPath } from './path.js';

/** The checksums a Process has computed, and the source that gave the last ones. */
export interface ChecksumState {
  checksums: Checksums;
  source: ChecksumSource | undefined;
}

/**
 * The checksums of each algorithm not computed yet, added to `state`; returns them all. The
 * identity is checked first (an exec drops the old program's checksums) and after the hash
 * (kept only once the pid is known to be still this process); a program replaced during the
 * hash is hashed again, ProgramChangedError after MAX_READINGS tries.
 */
export function* computeChecksumsFlow(
  procfs: ProcFS,
  identity: Identity,
  state: ChecksumState,
  algorithms: readonly string[],
  options: { cache: ChecksumCache | undefined },
): Flow<Checksums> {
  const { pid } = identity;
  const hashOptions = options.cache ? { procfs, cache: options.cache } : { procfs };
  for (let attempt = 0; ; attempt++) {
    yield* noteExec(procfs, identity);
    const missing = algorithms.filter((algorithm) => !(algorithm in state.checksums));
    if (missing.length === 0) return { ...state.checksums };
    const image = identity.image;
    let result: ProcessChecksum;
    try {
      result = yield* external(
        () => processChecksum(pid, missing, hashOptions),
        () => processChecksumAsync(pid, missing, hashOptions),
      );
    } catch (error) {
      yield* identity.current(procfs); // a pid that changed hands says so, not the hash's error
      throw error;
    }
    // One check after is enough: processChecksum compares the start time around its own reads.
    yield* identity.current(procfs);
    if (identity.image === image) {
      Object.assign(state.checksums, result.checksums);
      state.source = result.source;
      return { ...state.checksums };
    }
    // Replaced during the hash: which binary was hashed is unknown.
    if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(pid, MAX_READINGS);
  }
}

/** The binary's image in memory, dumped again when the program was replaced meanwhile. */
export function* dumpImageFlow(
  procfs: ProcFS,
  identity: Identity,
  pathFlow: () => Flow<ResolvedPath>,
  options: { maxBytes?: number },
): Flow<MemoryImage> {
  const { pid } = identity;
  for (let attempt = 0; ; attempt++) {
    const image = identity.image;
    const resolved = yield* checked(procfs, identity, pathFlow);
    if (resolved.source !== 'exe') {
      throw resolved.failure?.error ?? new Error(`process ${pid} has no binary path to dump`);
    }
    const dumpOptions = { ...options, procfs, deleted: resolved.deleted };
    const dump = yield* external(
      () => dumpImage(pid, resolved.path, dumpOptions),
      () => dumpImageAsync(pid, resolved.path, dumpOptions),
    );
    yield* identity.current(procfs);
    if (identity.image === image) return dump;
    if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(pid, MAX_READINGS);
  }
}

/**
 * An identity check only to notice an exec (which drops stale checksums): a process that exited,
 * or whose pid was reused, keeps the checksums computed for it.
 */
function* noteExec(procfs: ProcFS, identity: Identity): Flow<void> {
  try {
    yield* identity.current(procfs);
  } catch (error) {
    if (!(error instanceof ProcessGoneError)) throw error;
  }
}

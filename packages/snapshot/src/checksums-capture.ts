// The binaries' checksums at capture (Node only: @procmon/hash reads files through node:fs).
// Each captured process's binary is hashed through @procmon/hash's processChecksum (the running
// file through /proc/<pid>/exe, its identity confirmed around the read), and kept only if the
// pid still has the start time its captured stat gave: a checksum is never of another process.
import { ChecksumCache, processChecksumAsync } from '@procmon/hash';
import { parseStat } from '@procmon/parse';
import type { ProcFS } from '@procmon/procfs';
import type { SnapshotChecksums, SnapshotProcessChecksum } from './checksums.js';

/** A captured process: its pid and the start time of its captured stat. */
export interface CapturedIdentity {
  pid: number;
  startTime: number;
}

/** Binaries hashed at the same time: enough to overlap reads, few enough to hold few files open. */
const PARALLEL_HASHES = 4;

/**
 * Hashes each process's binary with `algorithms` (checked by the caller). Processes of one binary
 * cost one read (a ChecksumCache keyed by the file's identity). Never throws for one process:
 * its entry says why it has no checksum.
 */
export async function captureChecksums(
  procfs: ProcFS,
  processes: readonly CapturedIdentity[],
  algorithms: readonly string[],
): Promise<SnapshotChecksums> {
  const cache = new ChecksumCache();
  const entries: SnapshotProcessChecksum[] = new Array(processes.length);
  let next = 0;
  const worker = async () => {
    while (next < processes.length) {
      const index = next++;
      entries[index] = await checksumEntry(
        procfs,
        processes[index] as CapturedIdentity,
        algorithms,
        cache,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_HASHES, processes.length) }, worker));
  return { algorithms: [...algorithms], processes: entries };
}

async function checksumEntry(
  procfs: ProcFS,
  { pid, startTime }: CapturedIdentity,
  algorithms: readonly string[],
  cache: ChecksumCache,
): Promise<SnapshotProcessChecksum> {
  let entry: SnapshotProcessChecksum;
  try {
    const result = await processChecksumAsync(pid, algorithms, { procfs, cache });
    entry = {
      pid,
      ...pathOf(result),
      source: result.source,
      checksums: result.checksums,
    };
  } catch (error) {
    entry = { pid, error: codeOf(error) };
  }
  // processChecksum confirms the process kept its start time through its own reads; this ties
  // that process to the one captured (the pid may have changed hands since the capture).
  if (entry.error === undefined && (await startTimeNow(procfs, pid)) !== startTime)
    return { pid, error: 'ESRCH' };
  return entry;
}

function pathOf(result: { path: string | undefined; deleted: boolean | undefined }) {
  return result.path === undefined ? {} : { path: result.path, deleted: result.deleted === true };
}

async function startTimeNow(procfs: ProcFS, pid: number): Promise<number | undefined> {
  try {
    return parseStat(await procfs.runAsync(procfs.flows.readFile(pid, 'stat'))).startTime;
  } catch {
    return undefined;
  }
}

/** The error's code (errno, or @procmon/hash's NO_SOURCE, CHANGED), or UNKNOWN. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(code) ? code : 'UNKNOWN';
}

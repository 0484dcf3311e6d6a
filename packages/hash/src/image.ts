// The image of a binary in a process's memory: the regions of /proc/<pid>/maps that map that
// exact file, read from /proc/<pid>/mem at their addresses. The fallback for a binary that
// cannot be opened (an AppImage on a FUSE mount, a file gone or replaced while running).
import { parseMaps } from '@procmon/parse';
import { ProcFS, type ProcfsError } from '@procmon/procfs';
import { HashError } from './errors.js';

export interface ImageRegion {
  start: bigint;
  end: bigint;
  /** Where in the file the region starts. */
  offset: bigint;
  /** As maps writes them, e.g. `r-xp`. */
  perms: string;
  /** What was read: end - start bytes, unless the read stopped early. */
  bytes?: Uint8Array;
  /** Why the region could not be read (EIO for a region the kernel refuses). */
  error?: ProcfsError;
}

export interface MemoryImage {
  path: string;
  regions: ImageRegion[];
  /** The readable regions, in address order, one after the other. */
  bytes: Uint8Array;
}

export interface DumpImageOptions {
  procfs?: ProcFS;
  /** The most bytes of memory read; more is a HashError with code EFBIG. 1 GiB by default. */
  maxBytes?: number;
  /**
   * Whether the binary's maps entries carry ` (deleted)`: true when the file was deleted or
   * replaced while the process runs. Entries are matched on path and on this flag.
   */
  deleted?: boolean;
}

const DEFAULT_MAX_IMAGE_BYTES = 1024 * 1024 * 1024;

/**
 * The regions of `<root>/<pid>/maps` whose pathname is exactly `path` (not a substring:
 * `/usr/bin/python3` does not match `/usr/bin/python3.11`), read from `<root>/<pid>/mem`.
 *
 * @throws PermissionDeniedError when `mem` may not be read (another user's process),
 *   ProcessGoneError when the process is gone, HashError (EFBIG) past `maxBytes`, HashError
 *   (ENOENT) when no region maps `path`.
 */
export function dumpImage(pid: number, path: string, options: DumpImageOptions = {}): MemoryImage {
  const procfs = options.procfs ?? new ProcFS();
  const regions = selectRegions(
    parseMaps(procfs.readFile(pid, 'maps')),
    pid,
    path,
    procfs,
    options,
  );
  const results = procfs.readRanges(
    pid,
    'mem',
    regions.map((region) => ({ start: region.start, length: Number(region.end - region.start) })),
  );
  return assemble(path, regions, results);
}

/** The same, with the asynchronous reads of `procfs.promises`. */
export async function dumpImageAsync(
  pid: number,
  path: string,
  options: DumpImageOptions = {},
): Promise<MemoryImage> {
  const procfs = options.procfs ?? new ProcFS();
  const regions = parseMaps(await procfs.promises.readFile(pid, 'maps'));
  const matching = selectRegions(regions, pid, path, procfs, options);
  const results = await procfs.promises.readRanges(
    pid,
    'mem',
    matching.map((region) => ({ start: region.start, length: Number(region.end - region.start) })),
  );
  return assemble(path, matching, results);
}

function selectRegions(
  entries: ReturnType<typeof parseMaps>,
  pid: number,
  path: string,
  procfs: ProcFS,
  options: DumpImageOptions,
): ImageRegion[] {
  const deleted = options.deleted ?? false;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const regions: ImageRegion[] = [];
  let total = 0n;
  for (const entry of entries) {
    if (entry.pathname !== path || entry.deleted !== deleted) continue;
    total += entry.end - entry.start;
    regions.push({ start: entry.start, end: entry.end, offset: entry.offset, perms: entry.perms });
  }
  const mapsPath = `${procfs.root}/${pid}/maps`;
  if (regions.length === 0) {
    throw new HashError(`no region of ${mapsPath} maps ${path}${deleted ? ' (deleted)' : ''}`, {
      path: mapsPath,
      code: 'ENOENT',
    });
  }
  if (total > BigInt(maxBytes)) {
    throw new HashError(
      `the image of ${path} in process ${pid} is ${total} bytes, past the ${maxBytes}-byte cap (raise maxBytes)`,
      { path: `${procfs.root}/${pid}/mem`, code: 'EFBIG' },
    );
  }
  return regions;
}

function assemble(
  path: string,
  regions: ImageRegion[],
  results: ReturnType<ProcFS['readRanges']>,
): MemoryImage {
  let total = 0;
  results.forEach((result, i) => {
    const region = regions[i] as ImageRegion;
    if ('error' in result) region.error = result.error;
    else {
      region.bytes = result.bytes;
      total += result.bytes.length;
    }
  });
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const region of regions) {
    if (!region.bytes) continue;
    bytes.set(region.bytes, offset);
    offset += region.bytes.length;
  }
  return { path, regions, bytes };
}

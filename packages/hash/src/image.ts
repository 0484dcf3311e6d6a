// The image of a binary in a process's memory: the regions of /proc/<pid>/maps that map that
// exact file, read from /proc/<pid>/mem at their addresses. The fallback for a binary that
// cannot be opened (an AppImage on a FUSE mount, a file gone or replaced while running).

import { parseMaps } from '@procmon/parse';
import {
  type Flow,
  ProcessGoneError,
  type ProcessState,
  type ProcFS,
  type ProcfsError,
  procfsOf,
  type RangeResult,
} from '@procmon/procfs';
import { type Checksums, checkAlgorithms, MultiHash } from './algorithms.js';
import { entriesNamed, filesOf, mapsText } from './binary-maps.js';

import { HashError } from './errors.js';
import { checkByteCap, checkSignal, DEFAULT_MAX_BYTES, throwIfAborted } from './options.js';

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
   * Whether the file was deleted or replaced while the process runs (as ProcFS.readExe decides
   * it): its maps entries then read `<path> (deleted)`. Entries are matched on that text, as the
   * kernel wrote it; a file really named `<path> (deleted)` shows the same text, and is found
   * with `path` set to its whole name and `deleted` false.
   */
  deleted?: boolean;
  /**
   * The file's inode number (from a stat of it, e.g. of `/proc/<pid>/exe`): only regions of that
   * inode count. Without it, regions of more than one file under the same text are HashError
   * MISMATCH. The device is not compared: a stat on btrfs gives the subvolume's device, maps
   * the file system's.
   */
  inode?: bigint;
  /** Stops the read between pieces (16 MiB): the call throws `signal.reason`. */
  signal?: AbortSignal | undefined;
}

type MapsEntries = ReturnType<typeof parseMaps>;

/** @internal */
export interface ImageLimits {
  maxBytes: number;
  signal: AbortSignal | undefined;
}

/** The options' cap and signal, checked before any I/O (TypeError naming the option). */
function checkImageOptions(options: DumpImageOptions): ImageLimits {
  if (options.inode !== undefined && typeof options.inode !== 'bigint') {
    throw new TypeError(`inode must be a bigint, got ${String(options.inode)}`);
  }
  return {
    maxBytes: checkByteCap(options.maxBytes, 'maxBytes', DEFAULT_MAX_BYTES),
    signal: checkSignal(options.signal),
  };
}

/**
 * The regions of `<root>/<pid>/maps` whose pathname is exactly `path` (not a substring:
 * `/usr/bin/python3` does not match `/usr/bin/python3.11`; ` (deleted)` after it exactly when
 * `options.deleted`), all of one file, read from `<root>/<pid>/mem`.
 *
 * @throws TypeError when `maxBytes`, `inode` or `signal` is not valid (before any I/O);
 *   PermissionDeniedError when `mem` may not be read (another user's process);
 *   ProcessGoneError when the process is gone or a zombie; HashError (EFBIG) past `maxBytes`,
 *   HashError (ENOENT) when no region of a live process maps `path`, HashError (MISMATCH) when
 *   regions of more than one file show that text and `inode` does not pick one; the signal's
 *   reason once it is aborted.
 */
export function dumpImage(pid: number, path: string, options: DumpImageOptions = {}): MemoryImage {
  const limits = checkImageOptions(options);
  const procfs = procfsOf(options);
  return procfs.run(dumpFlow(procfs, pid, path, options, limits));
}

/** The same, with asynchronous reads. */
export async function dumpImageAsync(
  pid: number,
  path: string,
  options: DumpImageOptions = {},
): Promise<MemoryImage> {
  const limits = checkImageOptions(options);
  const procfs = procfsOf(options);
  return procfs.runAsync(dumpFlow(procfs, pid, path, options, limits));
}

/**
 * The checksums of a binary's executable regions in a process's memory (maps entries of exactly
 * `path` whose perms hold `x`, e.g. `r-xp`), in address order, each region fed to the hash as it
 * is read (never a copy of the whole image). The writable and RELRO regions are left out: the
 * dynamic loader writes ASLR-dependent addresses into them, so they differ in every process.
 * The result is therefore comparable between processes of the same binary, and never equal to
 * the checksum of the binary's file.
 *
 * @throws as dumpImage; HashError (EIO) when any region cannot be read or comes back short:
 *   a partial image is never hashed as a whole one.
 */
export function hashImage(
  pid: number,
  path: string,
  algorithms: readonly string[],
  options: DumpImageOptions = {},
): Checksums {
  checkAlgorithms(algorithms);
  const limits = checkImageOptions(options);
  const procfs = procfsOf(options);
  return procfs.run(hashImageFlow(procfs, pid, path, algorithms, options, limits));
}

/** The same as hashImage, with asynchronous reads. */
export async function hashImageAsync(
  pid: number,
  path: string,
  algorithms: readonly string[],
  options: DumpImageOptions = {},
): Promise<Checksums> {
  checkAlgorithms(algorithms);
  const limits = checkImageOptions(options);
  const procfs = procfsOf(options);
  return procfs.runAsync(hashImageFlow(procfs, pid, path, algorithms, options, limits));
}

function* dumpFlow(
  procfs: ProcFS,
  pid: number,
  path: string,
  options: DumpImageOptions,
  limits: ImageLimits,
): Flow<MemoryImage> {
  const regions = yield* regionsOf(procfs, pid, path, options, limits, false);
  const results: RangeResult[] = [];
  for (const region of regions) {
    const read: RangeResult[] = [];
    yield* readRegion(procfs, pid, region, limits.signal, (piece) => read.push(piece) > 0);
    results.push(joinPieces(read));
  }
  return assemble(path, regions, results);
}

/**
 * @internal hashImage as a flow, its cap and signal checked by the caller (`limits`): the
 * `memory` source of processChecksum.
 */
export function* hashImageFlow(
  procfs: ProcFS,
  pid: number,
  path: string,
  algorithms: readonly string[],
  options: DumpImageOptions,
  limits: ImageLimits,
): Flow<Checksums> {
  const regions = yield* regionsOf(procfs, pid, path, options, limits, true);
  const hash = new MultiHash(algorithms);
  const failed: string[] = [];
  for (const region of regions) {
    // One piece at a time: never more than PIECE_BYTES of the image are held.
    let fed = 0;
    yield* readRegion(procfs, pid, region, limits.signal, (piece) => {
      if (!feed(hash, region, piece, failed)) return false;
      fed += (piece as { bytes: Uint8Array }).bytes.length;
      return true;
    });
    checkWhole(region, fed, failed);
  }
  return finish(hash, pid, path, procfs, failed);
}

/**
 * The regions to read (see selectRegions), from maps; a process with none says why (gone, a
 * zombie, or ENOENT for a live one).
 */
function* regionsOf(
  procfs: ProcFS,
  pid: number,
  path: string,
  options: DumpImageOptions,
  limits: ImageLimits,
  executableOnly: boolean,
): Flow<ImageRegion[]> {
  throwIfAborted(limits.signal);
  const entries = parseMaps(yield* procfs.flows.readFile(pid, 'maps'));
  const regions = selectRegions(
    entries,
    pid,
    path,
    procfs,
    options,
    limits.maxBytes,
    executableOnly,
  );
  if (regions !== undefined) return regions;
  throw noRegion(pid, path, procfs, options, yield* procfs.flows.processState(pid));
}

const isExecutable = (entry: MapsEntries[number]) => entry.perms.includes('x');

/** The most bytes of `mem` asked for in one read (procfs caps one call's total). */
const PIECE_BYTES = 16 * 1024 * 1024;

/** A region's byte ranges, each at most PIECE_BYTES. */
function rangesOf(region: ImageRegion): { start: bigint; length: number }[] {
  const ranges: { start: bigint; length: number }[] = [];
  for (let start = region.start; start < region.end; start += BigInt(PIECE_BYTES)) {
    const left = region.end - start;
    ranges.push({ start, length: left < BigInt(PIECE_BYTES) ? Number(left) : PIECE_BYTES });
  }
  return ranges;
}

/**
 * A region read piece by piece, one readRanges read each, every piece handed to `take`; stops
 * when `take` says so or at a failed or short piece, and throws the signal's reason once it is
 * aborted.
 */
function* readRegion(
  procfs: ProcFS,
  pid: number,
  region: ImageRegion,
  signal: AbortSignal | undefined,
  take: (piece: RangeResult) => boolean,
): Flow<void> {
  for (const range of rangesOf(region)) {
    throwIfAborted(signal);
    const result = (yield* procfs.flows.readRanges(pid, 'mem', [range]))[0] as RangeResult;
    if (!take(result)) return;
    if ('error' in result || result.bytes.length !== range.length) return;
  }
}

/** A region's pieces as one result: its bytes, or the error of the piece that failed. */
function joinPieces(read: RangeResult[]): RangeResult {
  const failed = read.find((piece) => 'error' in piece);
  if (failed) return failed;
  const parts = read.map((piece) => (piece as { bytes: Uint8Array }).bytes);
  if (parts.length === 1) return { bytes: parts[0] as Uint8Array };
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes };
}

/** Records a region that came back short (its mapping ended early, e.g. a truncated file). */
function checkWhole(region: ImageRegion, fed: number, failed: string[]): void {
  const length = Number(region.end - region.start);
  if (failed.length === 0 && fed !== length) {
    failed.push(`${regionName(region)}: ${fed} of ${length} bytes`);
  }
}

const regionName = (region: ImageRegion) =>
  `${region.start.toString(16)}-${region.end.toString(16)} ${region.perms}`;

/**
 * Feeds one piece of `region` to the hash; a failed or short piece is recorded in `failed`
 * (and then nothing more is fed). Returns whether the read may go on.
 */
function feed(hash: MultiHash, region: ImageRegion, piece: RangeResult, failed: string[]): boolean {
  if (failed.length > 0) return false;
  if ('error' in piece) {
    failed.push(`${regionName(region)}: ${piece.error.code} (${piece.error.message})`);
    return false;
  }
  hash.update(piece.bytes);
  return true;
}

function finish(
  hash: MultiHash,
  pid: number,
  path: string,
  procfs: ProcFS,
  failed: string[],
): Checksums {
  if (failed.length > 0) {
    throw new HashError(
      `the image of ${path} in process ${pid} could not be read whole, so it is not hashed: ${failed.join('; ')}`,
      { path: procfs.pathOf(pid, 'mem'), code: 'EIO' },
    );
  }
  return hash.digest();
}

/**
 * The regions of the file shown as `path` (with ` (deleted)` when `options.deleted`; executable
 * ones only if asked), or undefined for none. HashError MISMATCH when they belong to more than
 * one file and `options.inode` does not say which; EFBIG past the cap, before any read.
 */
function selectRegions(
  entries: MapsEntries,
  pid: number,
  path: string,
  procfs: ProcFS,
  options: DumpImageOptions,
  maxBytes: number,
  executableOnly: boolean,
): ImageRegion[] | undefined {
  const text = mapsText(path, options.deleted ?? false);
  let named = entriesNamed(entries, text);
  if (options.inode !== undefined) named = named.filter((entry) => entry.inode === options.inode);
  const files = filesOf(named);
  if (files.length > 1) {
    throw new HashError(
      `the regions of process ${pid} shown as ${text} belong to ${files.length} files (device:inode ${files.join(', ')}): which one is the binary cannot be told, so none is read`,
      { path: procfs.pathOf(pid, 'maps'), code: 'MISMATCH' },
    );
  }
  const regions: ImageRegion[] = [];
  let total = 0n;
  for (const entry of named) {
    if (executableOnly && !isExecutable(entry)) continue;
    total += entry.end - entry.start;
    regions.push({ start: entry.start, end: entry.end, offset: entry.offset, perms: entry.perms });
  }
  if (regions.length === 0) return undefined;
  if (total > BigInt(maxBytes)) {
    throw new HashError(
      `the image of ${path} in process ${pid} is ${total} bytes, past the ${maxBytes}-byte cap (raise maxBytes)`,
      { path: procfs.pathOf(pid, 'mem'), code: 'EFBIG' },
    );
  }
  return regions;
}

/** No region maps `path`: a zombie or a gone process says so; a live one is ENOENT. */
function noRegion(
  pid: number,
  path: string,
  procfs: ProcFS,
  options: DumpImageOptions,
  state: ProcessState,
): Error {
  const mapsPath = procfs.pathOf(pid, 'maps');
  if (state !== 'alive') {
    return new ProcessGoneError(
      `cannot read the image of ${path} in process ${pid}: it is ${state}`,
      {
        pid,
        path: mapsPath,
        code: 'ESRCH',
        zombie: state === 'zombie',
      },
    );
  }
  const inode = options.inode === undefined ? '' : ` (inode ${options.inode})`;
  return new HashError(
    `no region of ${mapsPath} maps ${mapsText(path, options.deleted ?? false)}${inode}`,
    { path: mapsPath, code: 'ENOENT' },
  );
}

function assemble(path: string, regions: ImageRegion[], results: RangeResult[]): MemoryImage {
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

// checksums.json, the optional second member of a snapshot: the checksums of each captured
// process's binary, or the error code of why it has none. Its own member (not a manifest field)
// so that a snapshot without checksums is byte for byte what it was, and the manifest stays the
// same format. Parsed here strictly, as hostile input: browser-safe, no node:*.
import { SnapshotError } from './errors.js';

export const CHECKSUMS_NAME = 'checksums.json';

/** One captured process's binary: its checksums, or why there are none. */
export interface SnapshotProcessChecksum {
  pid: number;
  /** The binary's path as the kernel named it (exe link, without ` (deleted)`), when readable. */
  path?: string | undefined;
  /** The binary's name was removed or replaced while the process ran it. */
  deleted?: boolean | undefined;
  /** Which source of @procmon/hash's fallback chain answered: exe, root, path or memory. */
  source?: ChecksumSourceName | undefined;
  /** Algorithm (as in `algorithms`) to lowercase hex; absent when `error` is set. */
  checksums?: Record<string, string> | undefined;
  /** Why there is no checksum: an errno code (`EACCES`, `ESRCH`) or @procmon/hash's (`NO_SOURCE`). */
  error?: string | undefined;
}

export type ChecksumSourceName = 'exe' | 'root' | 'path' | 'memory';

export interface SnapshotChecksums {
  /** The algorithms asked for, in order; every entry with checksums has exactly these. */
  algorithms: string[];
  /** One entry per process that was hashed, in the manifest's `pids` order. */
  processes: SnapshotProcessChecksum[];
}

const SOURCES: ReadonlySet<unknown> = new Set(['exe', 'root', 'path', 'memory']);
const ALGORITHM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,31}$/;
const HEX = /^[0-9a-f]+$/;
/** Digest lengths in hex of the algorithms node:crypto offers; another name: 16 to 256 digits. */
const HEX_LENGTHS: Readonly<Record<string, number>> = {
  md5: 32,
  sha1: 40,
  ripemd160: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  'sha512-224': 56,
  'sha512-256': 64,
  'sha3-224': 56,
  'sha3-256': 64,
  'sha3-384': 96,
  'sha3-512': 128,
  blake2b512: 128,
  blake2s256: 64,
  sm3: 64,
  shake128: 32,
  shake256: 64,
};
/** The longest path a checksums.json entry may give: PATH_MAX, escaped. */
const MAX_PATH_CHARS = 4096 * 4;

/** The member's bytes as JSON (`JSON.stringify` of what captureSnapshot computed). */
export function serializeChecksums(checksums: SnapshotChecksums): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(checksums, null, 1)}\n`);
}

/**
 * checksums.json parsed and checked: the right types, known keys only, each digest lowercase hex
 * of its algorithm's length, each pid one of the manifest's `pids` and listed once.
 *
 * @throws SnapshotError (member `checksums.json`, reason `checksums`) naming what was wrong.
 */
export function parseChecksums(
  bytes: Uint8Array,
  capturedPids: readonly number[],
): SnapshotChecksums {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(`it is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(value)) throw bad('it is not an object');
  onlyKeys(value, ['algorithms', 'processes'], 'the top level');
  const { algorithms, processes } = value;
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw bad('algorithms is not a non-empty list');
  const seenAlgorithms = new Set<string>();
  for (const algorithm of algorithms) {
    if (typeof algorithm !== 'string' || !ALGORITHM.test(algorithm))
      throw bad(`algorithm ${JSON.stringify(algorithm)} is not an algorithm name`);
    if (seenAlgorithms.has(algorithm.toLowerCase()))
      throw bad(`algorithm ${algorithm} is listed twice`);
    seenAlgorithms.add(algorithm.toLowerCase());
  }
  if (!Array.isArray(processes)) throw bad('processes is not a list');
  const captured = new Set(capturedPids);
  const seenPids = new Set<number>();
  for (const [index, entry] of processes.entries()) {
    checkEntry(entry, index, algorithms as string[], captured, seenPids);
  }
  return value as unknown as SnapshotChecksums;
}

function checkEntry(
  entry: unknown,
  index: number,
  algorithms: string[],
  captured: ReadonlySet<number>,
  seenPids: Set<number>,
): void {
  const where = `processes[${index}]`;
  if (!isRecord(entry)) throw bad(`${where} is not an object`);
  onlyKeys(entry, ['pid', 'path', 'deleted', 'source', 'checksums', 'error'], where);
  const { pid } = entry;
  if (!Number.isSafeInteger(pid) || (pid as number) < 1) throw bad(`${where}.pid is not a pid`);
  if (!captured.has(pid as number))
    throw bad(`${where}.pid ${pid} is not a captured process (not in the manifest's pids)`);
  if (seenPids.has(pid as number)) throw bad(`pid ${pid} is listed twice`);
  seenPids.add(pid as number);
  if (entry.path !== undefined) {
    if (typeof entry.path !== 'string' || entry.path.length > MAX_PATH_CHARS)
      throw bad(`${where}.path is not a path`);
  }
  if (entry.deleted !== undefined && typeof entry.deleted !== 'boolean')
    throw bad(`${where}.deleted is not true or false`);
  if (entry.source !== undefined && !SOURCES.has(entry.source))
    throw bad(`${where}.source is not one of exe, root, path, memory`);
  const hasError = entry.error !== undefined;
  if (hasError === (entry.checksums !== undefined))
    throw bad(`${where} must have either checksums or error`);
  if (hasError) {
    if (typeof entry.error !== 'string' || !ERROR_CODE.test(entry.error))
      throw bad(`${where}.error is not an error code`);
    return;
  }
  const checksums = entry.checksums;
  if (!isRecord(checksums)) throw bad(`${where}.checksums is not an object`);
  onlyKeys(checksums, algorithms, `${where}.checksums`);
  for (const algorithm of algorithms) {
    const digest = checksums[algorithm];
    if (typeof digest !== 'string' || !HEX.test(digest))
      throw bad(`${where}.checksums.${algorithm} is not lowercase hex`);
    // Own keys only: `constructor` or `toString` is an unknown algorithm, not Object's function.
    const name = algorithm.toLowerCase();
    const expected = Object.hasOwn(HEX_LENGTHS, name) ? HEX_LENGTHS[name] : undefined;
    const fits =
      expected === undefined
        ? digest.length >= 16 && digest.length <= 256 && digest.length % 2 === 0
        : digest.length === expected;
    if (!fits) {
      throw bad(
        `${where}.checksums.${algorithm} has ${digest.length} hex digits${expected === undefined ? '' : `, not ${expected}`}`,
      );
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(
  record: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw bad(`${where} has an unknown key ${JSON.stringify(key)}`);
  }
}

function bad(what: string): SnapshotError {
  return new SnapshotError(`${CHECKSUMS_NAME} is refused: ${what}`, {
    member: CHECKSUMS_NAME,
    reason: 'checksums',
  });
}

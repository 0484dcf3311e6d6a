// manifest.json, the first member of every snapshot: what was captured, when, from which machine,
// with the machine facts the parsers need, and every read that failed.
import { SnapshotError } from './errors.js';

export const SNAPSHOT_FORMAT = 'procmon-snapshot';
export const SNAPSHOT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

/** A read that failed during the capture: the errno code it gave. */
export interface SnapshotFailure {
  /** The process, or undefined for a machine-wide file (`net/tcp6`). */
  pid?: number | undefined;
  /** The path under the process's folder (`io`, `fd`, `fd/7`, `exe`), or under the proc root. */
  file: string;
  /** The errno code (`EACCES`, `ENOENT`, ...). */
  code: string;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** When the capture started, ISO 8601 in UTC. */
  takenAt: string;
  hostname: string;
  /** The kernel release (`uname -r`). */
  kernel: string;
  /** Bytes per page on the captured machine. */
  pageSize: number;
  /** Clock ticks per second (USER_HZ) on the captured machine. */
  clockTicks: number;
  /** When the captured machine booted, in seconds since the epoch. */
  bootTimeSeconds: number;
  /** The processes captured whole, in the order they are in the archive. */
  pids: number[];
  /**
   * Processes that were listed (or asked for) but exited, or whose pid was reused, before their
   * capture ended: none of their files is in the archive, never a half of a process.
   */
  vanished: number[];
  /** Reads that failed for processes that are captured, and for machine files. */
  failures: SnapshotFailure[];
  /** Whether environments were captured, and the name patterns whose values were redacted. */
  environ: { captured: boolean; redacted: string[] };
  /**
   * The captured machine's user names by uid (`"1000": "ana"`), for the ids the capture saw;
   * absent when the capture was not given a way to name them. Hostile text: shown escaped.
   */
  users?: Record<string, string> | undefined;
  /** Its group names by gid, as `users`. */
  groups?: Record<string, string> | undefined;
}

/** The manifest's optional names: id (decimal) → name. */
export interface SnapshotNames {
  users?: Record<string, string> | undefined;
  groups?: Record<string, string> | undefined;
}

/** The longest user or group name a manifest may hold (NAME_MAX-like; real ones are under 33). */
export const MAX_ID_NAME = 256;

/**
 * A name a manifest may hold: not empty, at most MAX_ID_NAME characters, no NUL, not all digits
 * (shown where a name goes, `1000` reads as the uid 1000 that has no name: a root process would
 * pass for another user's).
 */
export const isIdName = (name: unknown): name is string =>
  typeof name === 'string' &&
  name.length > 0 &&
  name.length <= MAX_ID_NAME &&
  !name.includes('\0') &&
  !/^[0-9]+$/.test(name);

/** The manifest's bytes parsed and checked: every field of the right type. */
export function parseManifest(bytes: Uint8Array): SnapshotManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(`it is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('it is not an object');
  const m = value as Record<string, unknown>;
  if (m.format !== SNAPSHOT_FORMAT) throw bad(`its format is not "${SNAPSHOT_FORMAT}"`);
  if (m.version !== SNAPSHOT_VERSION) {
    throw bad(
      `its version is ${JSON.stringify(m.version)}; this reader knows version ${SNAPSHOT_VERSION}`,
    );
  }
  for (const key of ['takenAt', 'hostname', 'kernel'] as const) {
    if (typeof m[key] !== 'string') throw bad(`${key} is not a string`);
  }
  // Ages and start columns are counted to it: it must be a moment.
  if (!ISO_MOMENT.test(m.takenAt as string) || !Number.isFinite(Date.parse(m.takenAt as string)))
    throw bad('takenAt is not an ISO 8601 moment in UTC (2026-12-08T04:00:00.000Z)');
  for (const key of ['pageSize', 'clockTicks', 'bootTimeSeconds'] as const) {
    if (!Number.isSafeInteger(m[key]) || (m[key] as number) <= 0)
      throw bad(`${key} is not a positive whole number`);
  }
  // Every start time is counted from it, and the machine booted before the capture.
  if ((m.bootTimeSeconds as number) > Date.parse(m.takenAt as string) / 1000 + 60)
    throw bad('bootTimeSeconds is after takenAt: the machine booted after the capture');
  for (const key of ['pids', 'vanished'] as const) {
    if (!Array.isArray(m[key]) || !(m[key] as unknown[]).every(isPid))
      throw bad(`${key} is not a list of pids`);
  }
  if (!Array.isArray(m.failures) || !m.failures.every(isFailure))
    throw bad('failures is not a list of {pid, file, code}');
  const environ = m.environ as Record<string, unknown> | undefined;
  if (
    typeof environ !== 'object' ||
    environ === null ||
    typeof environ.captured !== 'boolean' ||
    !Array.isArray(environ.redacted) ||
    !environ.redacted.every((pattern) => typeof pattern === 'string')
  ) {
    throw bad('environ is not {captured, redacted}');
  }
  for (const key of ['users', 'groups'] as const) {
    if (m[key] !== undefined && !isNameTable(m[key])) {
      throw bad(
        `${key} is not an object of ids (0 to 4294967295) to names (1 to ${MAX_ID_NAME} characters, no NUL, not all digits)`,
      );
    }
  }
  return m as unknown as SnapshotManifest;
}

const ISO_MOMENT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$/;

/** `{ "1000": "ana" }`: decimal ids of 32 bits, each to a name isIdName accepts. */
function isNameTable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([id, name]) => /^(0|[1-9][0-9]{0,9})$/.test(id) && Number(id) <= 0xffffffff && isIdName(name),
  );
}

const isPid = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

function isFailure(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const failure = value as Record<string, unknown>;
  return (
    (failure.pid === undefined || isPid(failure.pid)) &&
    typeof failure.file === 'string' &&
    typeof failure.code === 'string' &&
    /^E[A-Z0-9]{1,15}$|^UNKNOWN$/.test(failure.code)
  );
}

function bad(what: string): SnapshotError {
  return new SnapshotError(`${MANIFEST_NAME} is not a snapshot manifest: ${what}`, {
    member: MANIFEST_NAME,
    reason: 'manifest',
  });
}

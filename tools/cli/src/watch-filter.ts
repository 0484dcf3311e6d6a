// Which events `procmon watch` prints: by type (-e), by user (-u) and by program (--program).
// Pure: the event and what is known of its process in, yes or no out.
import type { ProcessEvent, ProcessEventType } from '@procmon/events';
import { decodeText } from '@procmon/parse';
import type { KnownProcess } from './watch-processes.js';

export interface WatchFilter {
  /** Only these types; every type when undefined. */
  types?: ReadonlySet<ProcessEventType> | undefined;
  /** Only processes whose effective uid is one of these. */
  uids?: ReadonlySet<number> | undefined;
  /** Only processes whose comm, or the basename of whose executable, is this name. */
  program?: string | undefined;
}

/** The kernel keeps 15 bytes of a comm (TASK_COMM_LEN 16 with its NUL). */
const COMM_LENGTH = 15;

/**
 * Whether to print `event`. `lost` and `resync` pass every user and program filter: they say the
 * stream may miss events, whoever those were about; they obey `-e` like every type. A process
 * whose user or program is not known (it started before the scan and was never seen at exec, or
 * details are off) does not match a user or program filter.
 */
export function shows(
  event: ProcessEvent,
  process: KnownProcess | undefined,
  filter: WatchFilter,
): boolean {
  if (filter.types !== undefined && !filter.types.has(event.type)) return false;
  if (event.type === 'lost' || event.type === 'resync') return true;
  if (filter.uids !== undefined) {
    if (process?.uid === undefined || !filter.uids.has(process.uid)) return false;
  }
  if (filter.program !== undefined && !isProgram(process, filter.program)) return false;
  return true;
}

/**
 * Whether `process` runs `name`: its comm is the name (or the name cut to the comm's 15 bytes,
 * when no path tells more), or its executable's basename is. Exact, case-sensitive.
 */
export function isProgram(process: KnownProcess | undefined, name: string): boolean {
  if (process === undefined) return false;
  if (process.path !== undefined && basename(process.path) === name) return true;
  if (process.comm === name) return true;
  return (
    process.path === undefined &&
    process.comm !== undefined &&
    new TextEncoder().encode(name).length > COMM_LENGTH &&
    process.comm === cutComm(name)
  );
}

/** A path's last part, ` (deleted)` left out (the kernel's mark on a removed executable). */
export function basename(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith(' (deleted)') ? name.slice(0, -' (deleted)'.length) : name;
}

/**
 * `name` as the kernel stores it in comm (its first 15 bytes, a character cut in two kept as its
 * first bytes) and as procmon reads it back (those bytes escaped as parse decodes a stat's comm).
 */
function cutComm(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return decodeText('stat', bytes, 0, Math.min(bytes.length, COMM_LENGTH), 'escape');
}

/** Where a failed read was aimed: the process (if the path belongs to one) and the path. */
export interface ProcfsErrorDetails {
  pid: number | undefined;
  path: string;
  code: string;
  cause?: unknown;
}

/**
 * A read under the proc root failed. The base of the closed set: `ProcessGoneError` and
 * `PermissionDeniedError` say why when the reason is one of theirs; a plain `ProcfsError` is
 * anything else (EIO, ENAMETOOLONG, a file past its size cap, ...). Each carries the `pid`
 * (undefined for machine-wide files), the `path`, the errno `code` and the underlying `cause`.
 */
export class ProcfsError extends Error {
  override name = 'ProcfsError';
  readonly pid: number | undefined;
  readonly path: string;
  readonly code: string;

  constructor(message: string, details: ProcfsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.pid = details.pid;
    this.path = details.path;
    this.code = details.code;
  }
}

/**
 * The process is gone: its files vanished (ENOENT, ESRCH), or it is a zombie whose files are
 * empty where data was required (`zombie` is then true).
 */
export class ProcessGoneError extends ProcfsError {
  override name = 'ProcessGoneError';
  readonly zombie: boolean;

  constructor(message: string, details: ProcfsErrorDetails & { zombie?: boolean }) {
    super(message, details);
    this.zombie = details.zombie ?? false;
  }
}

/**
 * Not allowed to read it (EACCES, EPERM): another user's `environ`, `fd/` or `mem`, a mount with
 * `hidepid`, a process that is not dumpable.
 */
export class PermissionDeniedError extends ProcfsError {
  override name = 'PermissionDeniedError';
}

const GONE_CODES = new Set(['ENOENT', 'ESRCH']);
const PERMISSION_CODES = new Set(['EACCES', 'EPERM']);

/** Turns a Node fs error into the member of the closed set its errno says. */
export function toProcfsError(
  cause: unknown,
  pid: number | undefined,
  path: string,
  action: string,
): ProcfsError {
  if (cause instanceof ProcfsError) return cause;
  const code = errnoCode(cause);
  const details = { pid, path, code, cause };
  const what = pid === undefined ? path : `${path} (process ${pid})`;
  if (GONE_CODES.has(code)) {
    // A machine-wide file that is missing (net/tcp6 without IPv6) says nothing about a process.
    if (pid === undefined) {
      return new ProcfsError(`cannot ${action} ${path}: it does not exist (${code})`, details);
    }
    return new ProcessGoneError(`cannot ${action} ${what}: the process is gone (${code})`, details);
  }
  if (PERMISSION_CODES.has(code)) {
    return new PermissionDeniedError(
      `cannot ${action} ${what}: permission denied (${code})`,
      details,
    );
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ProcfsError(`cannot ${action} ${what}: ${reason}`, details);
}

function errnoCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'UNKNOWN';
}

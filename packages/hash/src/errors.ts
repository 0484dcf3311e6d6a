/**
 * A file could not be hashed: it names the path, the `code` and the `cause`. `code` is the errno
 * of the failed call (ENOENT, EACCES, EISDIR for a folder, ...), or one of this package's own,
 * named without the errno's leading E so that none reads as one: NOT_REGULAR_FILE (not a
 * regular file: a FIFO, a device, a socket; the message names the type; nothing was read),
 * CHANGED (the file changed while it was read, twice, or a process ran another program while
 * its binary was hashed), NO_SOURCE (no source of a process's binary could be hashed; `cause`
 * lists the attempts), MISMATCH (the file at the binary's path is not the one the process maps,
 * or the process maps more than one file under the binary's name). Caps and failed memory reads
 * keep the errno the system gives for them: EFBIG (a file or memory image larger than its cap,
 * or a file that grew past it while read), EIO (a memory image that could not be read whole).
 */
export class HashError extends Error {
  override name = 'HashError';
  readonly path: string;
  readonly code: string;

  constructor(message: string, details: { path: string; code: string; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.path = details.path;
    this.code = details.code;
  }
}

/** A path for messages: raw path bytes are shown as UTF-8, invalid bytes replaced. */
export function shownPath(path: string | Uint8Array): string {
  return typeof path === 'string' ? path : new TextDecoder().decode(path);
}

/** Wraps a Node fs error on `path` as a HashError that keeps its errno code. */
export function toHashError(cause: unknown, rawPath: string | Uint8Array): HashError {
  if (cause instanceof HashError) return cause;
  const path = shownPath(rawPath);
  const code =
    typeof cause === 'object' &&
    cause !== null &&
    typeof (cause as { code?: unknown }).code === 'string'
      ? (cause as { code: string }).code
      : 'UNKNOWN';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HashError(`cannot hash ${path}: ${reason}`, { path, code, cause });
}

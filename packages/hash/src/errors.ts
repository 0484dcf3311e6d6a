/** A file could not be hashed: it names the path, the errno `code` and the `cause`. */
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

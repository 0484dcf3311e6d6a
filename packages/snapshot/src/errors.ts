// The one error of reading a snapshot: what was wrong and, when it was one member, which.

export interface SnapshotErrorDetails {
  /** The member at fault (its path in the archive), when the fault is in one member. */
  member?: string | undefined;
  /** A short, stable name of the fault: `unsafe-path`, `too-large`, `truncated`, ... */
  reason: SnapshotFault;
  cause?: unknown;
}

/** What was wrong with an archive. */
export type SnapshotFault =
  | 'not-gzip'
  | 'truncated'
  | 'malformed'
  | 'unsafe-path'
  | 'unsupported-member'
  | 'duplicate-member'
  | 'too-large'
  | 'too-many-members'
  | 'manifest'
  | 'checksums'
  /** The members contradict the manifest or each other (a pid folder it does not list). */
  | 'inconsistent';

/**
 * A snapshot archive that cannot be read: malformed, truncated, hostile (a path that escapes,
 * a member past a cap) or not a snapshot. `member` names the member at fault when there is one,
 * `reason` says what kind of fault it is.
 */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
  readonly member: string | undefined;
  readonly reason: SnapshotFault;

  constructor(message: string, details: SnapshotErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.member = details.member;
    this.reason = details.reason;
  }
}

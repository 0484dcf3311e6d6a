// How many reads a file's checksum takes before it is believed. A write in progress is not seen
// by fstat before and after a read: the kernel sets mtime and ctime when a write starts (to a
// clock as coarse as a scheduler tick), not when it ends, so a file rewritten in place during
// the read gave digests of neither content with the same stat on both sides (6 of 294 calls).
// Two reads in a row that agree (same digests, same stat) rule out a write that ended during
// either read or started between them; not one that started before them and stalls (a writer
// throttled for dirty pages, or preempted): the file then holds the same mix of old and new
// bytes for both reads. Measured here, such agreeing torn pairs (143 of 3,000) all had a ctime
// 6 to 87 ms old. So agreeing reads are believed only once the ctime is older than a window;
// before that, the file is watched until it is, and read once more.
import type { BigIntStats } from 'node:fs';

/**
 * A file whose ctime is less than this old may have a write still under way: its reads are not
 * believed until it is older (see above). One second is many scheduler ticks, five times the
 * longest pause the kernel's dirty-page throttling imposes on a writer (200 ms), and more than a
 * write(2) of a binary's size takes.
 */
export const RECENT_CHANGE_MS = 1000;

/** Milliseconds (rounded up) until `stats`' ctime is RECENT_CHANGE_MS old; 0 once it is. */
export function msUntilSettled(stats: BigIntStats, nowMs: number): number {
  const leftNs =
    stats.ctimeNs + BigInt(RECENT_CHANGE_MS) * 1_000_000n - BigInt(Math.trunc(nowMs)) * 1_000_000n;
  return leftNs <= 0n ? 0 : Number((leftNs + 999_999n) / 1_000_000n);
}

/** Group or other may write (the group bits are the ACL mask when the file has an ACL). */
const WRITABLE_BY_OTHERS = 0o022n;

/**
 * 1 when nobody but root may write the file and it has not changed for RECENT_CHANGE_MS: owned
 * by root, no write bit for group or other (so no ACL entry grants writing either), ctime older
 * than the window. 2 otherwise: another user (or a program of root's that is writing it right
 * now) could be rewriting it as it is read.
 */
export function readsNeeded(stats: BigIntStats, nowMs: number): 1 | 2 {
  if (stats.uid !== 0n || (stats.mode & WRITABLE_BY_OTHERS) !== 0n) return 2;
  // A clock set back makes the age negative: recent, as far as can be told.
  return msUntilSettled(stats, nowMs) <= 0 ? 1 : 2;
}

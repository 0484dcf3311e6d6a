// The caps a snapshot is read under: an archive comes from elsewhere and may be hostile, so every
// size it declares or takes is bounded before memory is spent on it.

export interface SnapshotLimits {
  /** The largest tar stream gzip may inflate to; decompression stops there (a gzip bomb). */
  maxDecompressedBytes?: number | undefined;
  /** The largest one member may be (a file's data, a PAX header). */
  maxMemberBytes?: number | undefined;
  /** The most the data of all members may add up to. */
  maxTotalBytes?: number | undefined;
  /** The most members (files, links, folders, PAX headers) an archive may hold. */
  maxMembers?: number | undefined;
}

/** Every limit, set. */
export type CheckedLimits = { [K in keyof SnapshotLimits]-?: number };

export const DEFAULT_LIMITS: CheckedLimits = {
  // A busy machine's snapshot is tens of MiB inflated (maps files dominate).
  maxDecompressedBytes: 1024 * 1024 * 1024,
  // procfs's own read cap: no /proc file read live is larger.
  maxMemberBytes: 64 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxMembers: 2_000_000,
};

/** The limits given, each checked, over the defaults. */
export function limitsOf(given: SnapshotLimits = {}): CheckedLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof SnapshotLimits)[]) {
    const value = given[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`limits.${key} must be a positive whole number, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}

// The read policy on made-up stats: one read only for a file nobody but root may write that has
// not changed within the window; two for anything else.
import type { BigIntStats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECENT_CHANGE_MS, readsNeeded } from './read-policy.js';

const NOW = 1_700_000_000_000;
const msAgo = (ms: number) => BigInt(NOW - ms) * 1_000_000n;

function stats(uid: number, mode: number, ctimeNs: bigint): BigIntStats {
  return { uid: BigInt(uid), mode: BigInt(0o100000 | mode), ctimeNs } as BigIntStats;
}

describe('readsNeeded', () => {
  it('is 1 for root:0755 and root:0644 files changed long ago', () => {
    expect(readsNeeded(stats(0, 0o755, msAgo(86_400_000)), NOW)).toBe(1);
    expect(readsNeeded(stats(0, 0o644, msAgo(RECENT_CHANGE_MS)), NOW)).toBe(1);
  });

  it('is 2 for a file whose owner is not root', () => {
    expect(readsNeeded(stats(1000, 0o755, msAgo(86_400_000)), NOW)).toBe(2);
    expect(readsNeeded(stats(65534, 0o444, msAgo(86_400_000)), NOW)).toBe(2);
  });

  it('is 2 for a root file group or others may write (an ACL grant shows in the group bits)', () => {
    expect(readsNeeded(stats(0, 0o775, msAgo(86_400_000)), NOW)).toBe(2);
    expect(readsNeeded(stats(0, 0o757, msAgo(86_400_000)), NOW)).toBe(2);
    expect(readsNeeded(stats(0, 0o1777, msAgo(86_400_000)), NOW)).toBe(2);
  });

  it('is 2 for a root file changed within the window, or in the future (a clock set back)', () => {
    expect(readsNeeded(stats(0, 0o755, msAgo(RECENT_CHANGE_MS - 1)), NOW)).toBe(2);
    expect(readsNeeded(stats(0, 0o755, msAgo(0)), NOW)).toBe(2);
    expect(readsNeeded(stats(0, 0o755, msAgo(-60_000)), NOW)).toBe(2);
  });
});

// The connection bench's load, read back with node:fs: 300 sleeps, one holder whose fd table has
// the listener and 1,000 client and server ends (plus its three stdio socket pairs), and nothing
// of either left once stopLoad returns.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EXTRA_PROCESSES, HELD_SOCKETS, startLoad, stopLoad } from '../src/net-load.mjs';

function socketLinks(pid: number): number {
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:[')) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return sockets;
}

describe('startLoad and stopLoad (live)', () => {
  it('holds 2,001 TCP sockets in one child and runs 300 sleeps, then ends both', async () => {
    const load = await startLoad();
    let stopped = false;
    try {
      expect(load.crowd.pids).toHaveLength(EXTRA_PROCESSES);
      for (const pid of load.crowd.pids.slice(0, 5))
        expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/sleep$/);
      expect(socketLinks(load.holder.pid)).toBe(HELD_SOCKETS + 3);
      expect(load.holder.port).toBeGreaterThan(0);
      stopLoad(load);
      stopped = true;
      const watched = [load.holder.pid, ...load.crowd.pids];
      for (let i = 0; i < 100 && watched.some((pid) => isLive(pid)); i++) await sleep(20);
      expect(watched.filter((pid) => isLive(pid))).toEqual([]);
    } finally {
      if (!stopped) stopLoad(load);
    }
  });
});

/** Whether a pid is a process that has not ended (a zombie awaiting its parent counts as ended). */
function isLive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    // A zombie (ended, not yet reaped) has no exe link.
    return readlinkSync(`/proc/${pid}/exe`).length > 0;
  } catch {
    return false;
  }
}

// The CLI's own reads of /proc, kept in this one file until @procmon/procfs lands and takes
// them over: one readFileSync per file, errors passed through with their errno code.
import { readFileSync, readlinkSync } from 'node:fs';

export type ProcTarget = number | 'self';

export function readProcFile(pid: ProcTarget, name: string): Uint8Array {
  return readFileSync(`/proc/${pid}/${name}`);
}

export function readProcLink(pid: ProcTarget, name: string): string {
  return readlinkSync(`/proc/${pid}/${name}`);
}

/** Page size and clock ticks from the auxiliary vector, boot time from /proc/stat. */
export function readMachineFacts(): {
  pageSize: number;
  clockTicks: number;
  bootTimeSeconds: number;
} {
  const AT_PAGESZ = 6n;
  const AT_CLKTCK = 17n;
  const auxv = readFileSync('/proc/self/auxv');
  let pageSize = 0;
  let clockTicks = 0;
  // 64-bit auxv: (type, value) pairs of native-endian u64, ended by AT_NULL.
  for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
    const type = auxv.readBigUInt64LE(offset);
    const value = Number(auxv.readBigUInt64LE(offset + 8));
    if (type === AT_PAGESZ) pageSize = value;
    else if (type === AT_CLKTCK) clockTicks = value;
  }
  const stat = readFileSync('/proc/stat', 'latin1');
  const btime = /^btime (\d+)$/m.exec(stat);
  if (pageSize === 0 || clockTicks === 0 || btime === null) {
    throw new Error('could not read page size, clock ticks or boot time from /proc');
  }
  return { pageSize, clockTicks, bootTimeSeconds: Number(btime[1]) };
}

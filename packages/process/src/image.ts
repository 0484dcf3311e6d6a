// Which program a process runs, as far as its stat shows it. execve keeps the pid and the start
// time but gives the process a new memory map: with address space randomization, the addresses
// stat lists (code, stack, arguments, environment) come out different. Comparing them before
// and after a collector's reads tells whether the fields could come from two programs.
//
// They read as 0 (startcode and endcode as 1) when this process may not ptrace the other one
// (another user's process, without root): then every image looks the same and an exec cannot
// be seen. Nor can one of the same binary with randomization off (`setarch -R`).
import type { Stat } from '@procmon/parse';
import { isKernelThread } from './path.js';

/** Readings of a process that changed program before a collector gives up (ProgramChangedError). */
export const MAX_READINGS = 3;

/** The addresses of stat that an exec changes. */
export type ProgramImage = Pick<
  Stat,
  'startcode' | 'endcode' | 'startstack' | 'argStart' | 'envStart'
>;

export function imageOf(stat: Stat): ProgramImage {
  const { startcode, endcode, startstack, argStart, envStart } = stat;
  return { startcode, endcode, startstack, argStart, envStart };
}

/** Whether two stats show the same program (see above for when an exec cannot be seen). */
export function sameImage(a: ProgramImage, b: ProgramImage): boolean {
  return (
    a.startstack === b.startstack &&
    a.startcode === b.startcode &&
    a.endcode === b.endcode &&
    a.argStart === b.argStart &&
    a.envStart === b.envStart
  );
}

/**
 * Whether stat shows a program still being loaded by execve. The new memory map starts empty:
 * its code addresses stay 0 until the arguments and environment are on its stack (the kernel
 * sets them after), and the argument addresses 0 until they are being placed; meanwhile cmdline
 * and environ read empty or cut short. A kernel thread and a zombie have no map (0 too), and a
 * process whose addresses are hidden from this one shows startcode and endcode as 1.
 */
export function isLoading(stat: Stat): boolean {
  if (stat.startcode !== 0n && stat.argStart !== 0n) return false;
  if (stat.startcode === 1n && stat.endcode === 1n) return false;
  return stat.state !== 'Z' && stat.state !== 'X' && !isKernelThread(stat);
}

// The Process a socket holder names, for its details (path, arguments, cwd, ...): opened by pid
// and checked against the holder's start time, so a pid handed to another process since the
// walk never stands in for the holder.
import { procfsOf } from '@procmon/procfs';
import { PidReusedError } from './errors.js';
import { Process, type ProcessOptions } from './process.js';
import type { SocketHolder } from './socket-holders.js';

/**
 * The holder's process. Throws PidReusedError when its pid now belongs to another process,
 * ProcessGoneError when it exited. Every later read of the Process checks its identity again.
 */
export function openHolder(holder: SocketHolder, options: ProcessOptions = {}): Process {
  return checked(Process.open(holder.pid, options), holder, options);
}

/** `openHolder` with an asynchronous read. */
export async function openHolderAsync(
  holder: SocketHolder,
  options: ProcessOptions = {},
): Promise<Process> {
  return checked(await Process.openAsync(holder.pid, options), holder, options);
}

function checked(process: Process, holder: SocketHolder, options: ProcessOptions): Process {
  if (process.startTime === holder.startTime) return process;
  const path = `${procfsOf(options).root}/${holder.pid}/stat`;
  throw new PidReusedError(holder.pid, path, holder.startTime, process.startTime);
}

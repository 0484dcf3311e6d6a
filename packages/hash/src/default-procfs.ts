import { ProcFS } from '@procmon/procfs';

let shared: ProcFS | undefined;

/**
 * The ProcFS on /proc used when a caller passes none: made once, since making one checks the
 * root with a stat, which would otherwise cost every checksum of every process.
 */
export function defaultProcFS(): ProcFS {
  shared ??= new ProcFS();
  return shared;
}

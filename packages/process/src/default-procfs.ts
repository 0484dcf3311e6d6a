import { ProcFS } from '@procmon/procfs';

let shared: ProcFS | undefined;

/**
 * The ProcFS on /proc used when a caller passes none: made once, since making one checks the
 * root with a stat, which would otherwise cost every read.
 */
export function defaultProcFS(): ProcFS {
  shared ??= new ProcFS();
  return shared;
}

/** The caller's ProcFS, else the shared one on /proc. */
export function procfsOf(options: { procfs?: ProcFS | undefined } | undefined): ProcFS {
  return options?.procfs ?? defaultProcFS();
}

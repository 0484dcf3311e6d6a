// The ProcFS on /proc that every package uses when its caller passes none: one for the whole
// program, made on first use (making one checks the root with a stat, which would otherwise cost
// every call).
import { ProcFS } from './procfs.js';

let shared: ProcFS | undefined;

/** The shared ProcFS on /proc. */
export function defaultProcFS(): ProcFS {
  shared ??= new ProcFS();
  return shared;
}

/** The caller's ProcFS, else the shared one on /proc. */
export function procfsOf(options: { procfs?: ProcFS | undefined } | undefined): ProcFS {
  return options?.procfs ?? defaultProcFS();
}

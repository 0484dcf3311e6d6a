// Whether a file found at a process's binary path (under its root, or on the host) is the
// binary it runs: only a file the process maps under the binary's own text, with the same device
// and inode, is taken for it (the `root` and `path` sources of processChecksum).
import type { BigIntStats } from 'node:fs';
import { type MapsEntry, parseMaps } from '@procmon/parse';
import type { Flow, ProcFS } from '@procmon/procfs';
import { deviceOf, entriesNamed, mapsText } from './binary-maps.js';
import { HashError, shownPath } from './errors.js';

/** @internal maps, read and parsed at most once, on first need; its error kept as the value. */
export function mapsOnce(procfs: ProcFS, pid: number): () => Flow<MapsEntry[] | Error> {
  let maps: MapsEntry[] | Error | undefined;
  return function* () {
    if (maps === undefined) {
      try {
        maps = parseMaps(yield* procfs.flows.readFile(pid, 'maps'));
      } catch (error) {
        maps = error as Error;
      }
    }
    return maps;
  };
}

/**
 * @internal A `root` or `path` source is the binary only if the opened file is one the process
 * maps under the binary's own text (same device and inode); anything else (a file of another
 * mount namespace at the same path, a process that exited meanwhile) throws.
 */
export function checkMapped(
  stats: BigIntStats,
  binaryPath: string,
  maps: MapsEntry[] | Error,
  target: Uint8Array,
  pid: number,
): void {
  const shown = shownPath(target);
  if (maps instanceof Error) {
    throw new HashError(
      `cannot tell whether ${shown} is the binary process ${pid} runs: its maps could not be read (${maps.message})`,
      {
        path: shown,
        code:
          typeof (maps as Error & { code?: unknown }).code === 'string'
            ? String((maps as Error & { code?: unknown }).code)
            : 'MISMATCH',
        cause: maps,
      },
    );
  }
  const { major, minor } = deviceOf(stats.dev);
  const mapped = entriesNamed(maps, mapsText(binaryPath, false)).some(
    (entry) =>
      entry.inode === stats.ino && entry.device.major === major && entry.device.minor === minor,
  );
  if (!mapped) {
    throw new HashError(
      `${shown} (device ${major}:${minor}, inode ${stats.ino}) is not the binary process ${pid} maps at ${binaryPath}: not hashed`,
      { path: shown, code: 'MISMATCH' },
    );
  }
}

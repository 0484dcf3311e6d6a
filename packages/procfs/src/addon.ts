// Loading the native read core (native/procfs.c): build/Release/procfs.node when the package's
// install script built it, else the prebuilt prebuilds/linux-x64/*.node the packed package
// carries, both found by node-gyp-build. Loaded once per process; a failure is kept as a reason.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * What one native op gives: its value, or a negative number, -(syscall * 65536 + errno) (see
 * native/procfs.c). Values: an ArrayBuffer (read, readlink), names (readdir), [names, targets,
 * vanished] (links; a target is a latin1 string or a positive errno), a BigInt64Array (stat),
 * [pairs, stat, uid, flags] (sockets: (fd, inode) pairs, the stat file's bytes).
 */
export type NativeResult =
  | number
  | ArrayBuffer
  | string[]
  | [string[], (string | number)[], boolean]
  | BigInt64Array
  | [Float64Array, ArrayBuffer, number, number];

/** A batch flattened as kind, path, maxBytes, kind, path, maxBytes, ... */
export type NativeBatch = (number | string | Uint8Array)[];

/** The functions of procfs.node (native/procfs.c). */
export interface ProcfsAddon {
  perform(kind: number, path: string | Uint8Array, maxBytes: number): NativeResult;
  batch(ops: NativeBatch): NativeResult[];
  /** The same batch as one work item on libuv's thread pool. */
  batchAsync(ops: NativeBatch): Promise<NativeResult[]>;
}

/** The package's folder (beside dist/ and src/): where build/ and prebuilds/ are. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export type LoadedAddon = { addon: ProcfsAddon; file: string } | { error: string };

let loaded: LoadedAddon | undefined;

/** The addon and the file it came from, or why it cannot be loaded. */
export function loadAddon(): LoadedAddon {
  if (loaded === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const nodeGypBuild = require('node-gyp-build') as { path(folder: string): string };
      const file = nodeGypBuild.path(PACKAGE_ROOT);
      loaded = { addon: require(file) as ProcfsAddon, file };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      loaded = {
        error: /No native build was found/.test(message)
          ? `addon not built: neither build/Release/procfs.node nor prebuilds/${process.platform}-${process.arch}/ is in ${PACKAGE_ROOT} (run \`node scripts/build-addon.mjs\` there)`
          : `addon does not load: ${message.split('\n')[0]}`,
      };
    }
  }
  return loaded;
}

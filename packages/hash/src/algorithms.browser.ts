// algorithms.ts in the browser build: node:crypto's synchronous hashes are not in a page, so
// every checksum call throws NodeOnlyError there (the rest of the model runs without them).
import { NodeOnlyError } from '@procmon/procfs';

/** Each algorithm name as the caller wrote it, to its digest in lowercase hex. */
export type Checksums = Record<string, string>;

const noHashing = () =>
  new NodeOnlyError(
    'hash',
    'checksums need node:crypto and the files themselves, which a browser does not have',
  );

/** Throws NodeOnlyError: no hashing in a browser. */
export function checkAlgorithms(_algorithms: readonly string[]): readonly string[] {
  throw noHashing();
}

/** Throws NodeOnlyError when made: no hashing in a browser. */
export class MultiHash {
  constructor(_algorithms: readonly string[]) {
    throw noHashing();
  }

  update(_bytes: Uint8Array): void {}

  digest(): Checksums {
    return {};
  }
}

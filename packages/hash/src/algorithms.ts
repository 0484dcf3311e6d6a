// The hash algorithms of node:crypto. The browser build swaps this module for
// algorithms.browser.ts, where hashing throws NodeOnlyError.
import { createHash, getHashes, type Hash } from 'node:crypto';

/** Each algorithm name as the caller wrote it, to its digest in lowercase hex. */
export type Checksums = Record<string, string>;

let known: Set<string> | undefined;

/**
 * Checks an algorithm list before any I/O: not empty, no name twice, every name one that
 * node:crypto offers (`md5`, `sha1`, `sha256`, `sha512`, `sha3-256`, `blake2b512`, ...).
 *
 * @throws TypeError naming the problem.
 */
export function checkAlgorithms(algorithms: readonly string[]): readonly string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('algorithms must be a non-empty list, e.g. ["sha256"]');
  }
  known ??= new Set(getHashes().map((name) => name.toLowerCase()));
  const seen = new Set<string>();
  for (const algorithm of algorithms) {
    if (typeof algorithm !== 'string' || !known.has(algorithm.toLowerCase())) {
      throw new TypeError(
        `unknown hash algorithm ${JSON.stringify(algorithm)}: use a name node:crypto offers, such as md5, sha1, sha256, sha512, sha3-256 or blake2b512 (crypto.getHashes() lists them all)`,
      );
    }
    if (seen.has(algorithm.toLowerCase())) {
      throw new TypeError(`hash algorithm ${JSON.stringify(algorithm)} is listed twice`);
    }
    seen.add(algorithm.toLowerCase());
  }
  return algorithms;
}

/** One running hash per algorithm, fed the same bytes: the one pass over the data. */
export class MultiHash {
  private readonly hashes: Hash[];

  constructor(private readonly algorithms: readonly string[]) {
    this.hashes = algorithms.map((algorithm) => createHash(algorithm));
  }

  update(bytes: Uint8Array): void {
    for (const hash of this.hashes) hash.update(bytes);
  }

  digest(): Checksums {
    const checksums: Checksums = {};
    this.algorithms.forEach((algorithm, i) => {
      checksums[algorithm] = (this.hashes[i] as Hash).digest('hex');
    });
    return checksums;
  }
}

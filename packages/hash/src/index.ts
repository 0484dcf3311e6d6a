export { type Checksums, checkAlgorithms } from './algorithms.js';
export {
  ChecksumCache,
  type ChecksumCacheOptions,
  hashFileCached,
  hashFileCachedAsync,
} from './cache.js';
export { HashError } from './errors.js';
export { hashBytes, hashFile, hashFileAsync, hashStream } from './hash-file.js';
export {
  type DumpImageOptions,
  dumpImage,
  dumpImageAsync,
  hashImage,
  hashImageAsync,
  type ImageRegion,
  type MemoryImage,
} from './image.js';
export type { HashOptions } from './options.js';
export {
  type ChecksumSource,
  type ProcessChecksum,
  type ProcessChecksumOptions,
  processChecksum,
  processChecksumAsync,
} from './process-checksum.js';

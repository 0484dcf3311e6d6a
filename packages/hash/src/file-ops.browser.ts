// file-ops.ts in the browser build: a page opens no files, so each step throws NodeOnlyError
// (checkAlgorithms throws first anyway: see algorithms.browser.ts).
import type { BigIntStats } from 'node:fs';
import { type Flow, NodeOnlyError } from '@procmon/procfs';

/** The most bytes one read asks for. */
export const CHUNK_BYTES = 1024 * 1024;

/** @internal Never used in a browser: openFd throws. */
export const O_READ = 0;

/** @internal */
export interface ChunkBuffer {
  bytes?: Uint8Array;
}

const noFiles = (): never => {
  throw new NodeOnlyError('node-fs', 'a browser cannot open files to hash them');
};

// biome-ignore lint/correctness/useYield: a step that cannot run fails before its first yield
function* unavailable<T>(): Flow<T> {
  return noFiles();
}

/** @internal */
export const readAt = (
  _fd: number,
  _position: number,
  _length: number,
  _buffer: ChunkBuffer,
): Flow<Uint8Array> => unavailable();

/** @internal */
export const fstatOf = (_fd: number): Flow<BigIntStats> => unavailable();

/** @internal */
export const openFd = (_path: string | Uint8Array, _flags: number): Flow<number> => unavailable();

/** @internal */
export const closeFd = (_fd: number): Flow<void> => unavailable();

/** @internal */
export const pause = (_ms: number): Flow<void> => unavailable();

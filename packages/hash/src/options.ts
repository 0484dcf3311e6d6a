// The limits every function that reads a file or a stream takes: a cap on bytes and an abort
// signal. Checked before any I/O, so a bad option is a TypeError, never a half-done read.

/** Limits on one hash: how much may be read, and a way to stop it. */
export interface HashOptions {
  /**
   * The most bytes read; 1 GiB (2^30) by default. A file whose size is larger is refused with
   * HashError EFBIG before any read, and one that grows past it while read stops with EFBIG.
   * Any local user can make a sparse file of terabytes that costs nothing on disk.
   */
  maxBytes?: number;
  /**
   * Stops the hash: checked before the file is opened and between chunks (1 MiB); the call then
   * throws (or rejects with) `signal.reason`, an `AbortError` DOMException unless the caller gave
   * another reason, as Node's own APIs do. A read already in progress is not interrupted.
   */
  signal?: AbortSignal | undefined;
}

/** @internal The checked form of HashOptions. */
export interface Limits {
  maxBytes: number;
  signal: AbortSignal | undefined;
}

/** The default cap: 1 GiB, like the memory image's. */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

/** @internal A positive safe integer, else a TypeError that names the option. */
export function checkByteCap(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive whole number of bytes, got ${String(value)}`);
  }
  return value;
}

/** @internal An AbortSignal or nothing, else a TypeError that names the option. */
export function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${String(value)}`);
  }
  return value;
}

/** @internal HashOptions checked before any I/O. */
export function checkLimits(options: HashOptions | undefined): Limits {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`options must be an object, got ${String(options)}`);
  }
  return {
    maxBytes: checkByteCap(options?.maxBytes, 'maxBytes', DEFAULT_MAX_BYTES),
    signal: checkSignal(options?.signal),
  };
}

/** @internal Throws the signal's reason once it is aborted (Node's AbortSignal.throwIfAborted). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/** @internal Whether `error` is the abort of `signal`: it must reach the caller unwrapped. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && error === signal.reason;
}

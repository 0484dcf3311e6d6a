// Argument checks that run before any I/O: a bad pid or name must never become a path.

/** Throws a TypeError unless `pid` is a positive safe integer (a pid or a thread id). */
export function checkPid(pid: unknown, what = 'pid'): asserts pid is number {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new TypeError(`${what} must be a positive integer, got ${describe(pid)}`);
  }
}

/** Throws a TypeError unless `fd` is a non-negative safe integer. */
export function checkFd(fd: unknown): asserts fd is number {
  if (typeof fd !== 'number' || !Number.isSafeInteger(fd) || fd < 0) {
    throw new TypeError(`fd must be a non-negative integer, got ${describe(fd)}`);
  }
}

/**
 * Throws a TypeError unless `name` is one file name: not empty, no `/`, not `.` or `..`, no NUL.
 * Nested files have their own methods (task files, fd links, net tables).
 */
export function checkFileName(name: unknown, what = 'file name'): asserts name is string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0')
  ) {
    throw new TypeError(`${what} must be a single file name without "/", got ${describe(name)}`);
  }
}

/** Throws a TypeError unless `maxBytes` is a positive safe integer. */
export function checkMaxBytes(maxBytes: unknown): asserts maxBytes is number {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`maxBytes must be a positive integer, got ${describe(maxBytes)}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const MAX_POSITION = 2n ** 63n - 1n;

/**
 * Throws a TypeError unless every range has a bigint `start` >= 0 and a safe `length` >= 0
 * whose end (`start + length`) fits a signed 64-bit file position. Returns a copy of the
 * ranges, each field read once: the ranges read are the ones checked, even if the caller's
 * array or objects change while the read runs.
 */
export function checkRanges(ranges: unknown): { start: bigint; length: number }[] {
  if (!Array.isArray(ranges)) throw new TypeError('ranges must be an array of { start, length }');
  const copy: { start: bigint; length: number }[] = [];
  for (let index = 0; index < ranges.length; index++) {
    const range = ranges[index] as { start?: unknown; length?: unknown } | null | undefined;
    const start = range?.start;
    const length = range?.length;
    if (
      typeof start !== 'bigint' ||
      start < 0n ||
      typeof length !== 'number' ||
      !Number.isSafeInteger(length) ||
      length < 0
    ) {
      throw new TypeError(
        `ranges[${index}] must be { start: bigint >= 0, length: integer >= 0 }, got ${JSON.stringify(range, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      );
    }
    if (start + BigInt(length) > MAX_POSITION) {
      throw new TypeError(
        `ranges[${index}] ends past 2^63 - 1, the largest file position: start ${start}n, length ${length}`,
      );
    }
    copy.push({ start, length });
  }
  return copy;
}

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

/** Throws a TypeError unless every range has a bigint `start` >= 0 and a safe `length` >= 0. */
export function checkRanges(
  ranges: unknown,
): asserts ranges is { start: bigint; length: number }[] {
  if (!Array.isArray(ranges)) throw new TypeError('ranges must be an array of { start, length }');
  ranges.forEach((range: { start?: unknown; length?: unknown } | null, index) => {
    if (
      typeof range?.start !== 'bigint' ||
      range.start < 0n ||
      typeof range.length !== 'number' ||
      !Number.isSafeInteger(range.length) ||
      range.length < 0
    ) {
      throw new TypeError(
        `ranges[${index}] must be { start: bigint >= 0, length: integer >= 0 }, got ${JSON.stringify(range, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      );
    }
  });
}

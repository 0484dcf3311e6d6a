// Which entries of a folder name pids or thread ids.

/** The names that are decimal numbers, as numbers (pids, tids), in listing order. */
export function numericNames(names: readonly string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    if (isPidName(name)) numbers.push(Number(name));
  }
  return numbers;
}

/** Decimal digits without a leading zero, short enough to be a safe integer. */
function isPidName(name: string): boolean {
  if (name.length === 0 || name.length > 15 || name.charCodeAt(0) === 0x30) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** The largest descriptor a kernel can hand out: fds are C ints. */
const MAX_FD = 2 ** 31 - 1;

/**
 * A `fd/` entry's name as a descriptor number: decimal digits without a leading zero (or `0`),
 * at most MAX_FD; undefined for anything else, which names no descriptor (a fixture tree's).
 */
export function fdNumberOf(name: string): number | undefined {
  if (name.length === 0 || name.length > 10 || (name.length > 1 && name.charCodeAt(0) === 0x30)) {
    return undefined;
  }
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  const fd = Number(name);
  return fd <= MAX_FD ? fd : undefined;
}

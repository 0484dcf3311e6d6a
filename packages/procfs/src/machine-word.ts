// How this machine lays out the words of its auxiliary vector (<root>/self/auxv is the reading
// process's own, so its layout is this machine's). The browser build replaces this module by
// machine-word.browser.ts.
import { arch, endianness } from 'node:os';

export interface WordLayout {
  bytes: 4 | 8;
  littleEndian: boolean;
}

/** This machine's word size and byte order. */
export function wordLayout(): WordLayout {
  const bytes = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(arch()) ? 4 : 8;
  return { bytes, littleEndian: endianness() === 'LE' };
}

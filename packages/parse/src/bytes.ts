// The ASCII bytes the parsers look for, named once for every file they read, and where a line ends.
export const NUL = 0x00;
export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const SPACE = 0x20;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
export const MINUS = 0x2d;
export const SLASH = 0x2f;
export const ZERO = 0x30;
export const NINE = 0x39;
export const COLON = 0x3a;
export const EQUALS = 0x3d;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;

/** Where the line at `start` ends: at its newline, or at the end of a last line without one. */
export function endOfLine(bytes: Uint8Array, start: number): number {
  const end = bytes.indexOf(NEWLINE, start);
  return end < 0 ? bytes.length : end;
}

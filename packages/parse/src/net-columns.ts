import { NEWLINE, SPACE } from './bytes.js';
import { ParseError, type ProcFileKind } from './errors.js';
import { NumberTooLargeError, readHex, readUint } from './numbers.js';

/** Offset of the newline ending the line at `start`; a missing one means the input was cut. */
export function lineEnd(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  line: number,
): number {
  const end = bytes.indexOf(NEWLINE, start);
  if (end >= 0) return end;
  const what = start === 0 && bytes.length === 0 ? 'input is empty' : `line ${line} has no newline`;
  throw new ParseError(kind, `${what}: the table is truncated`, bytes, bytes.length);
}

/** Throws unless the header line `bytes[0, end)` holds exactly `words`, however spaced. */
export function checkHeader(
  kind: ProcFileKind,
  bytes: Uint8Array,
  end: number,
  words: readonly string[],
): void {
  let pos = 0;
  for (const word of words) {
    while (pos < end && bytes[pos] === SPACE) pos++;
    let wordEnd = pos;
    while (wordEnd < end && bytes[wordEnd] !== SPACE) wordEnd++;
    if (!asciiEquals(bytes, pos, wordEnd, word)) {
      throw new ParseError(kind, `header: expected column "${word}"`, bytes, pos);
    }
    pos = wordEnd;
  }
  while (pos < end && bytes[pos] === SPACE) pos++;
  if (pos < end) throw new ParseError(kind, 'header: unexpected column after the last', bytes, pos);
}

function asciiEquals(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[start + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Walks the space-separated columns of one row of a `/proc/net` table, naming the row's line and
 * the column in every error. The inet and unix row readers extend it.
 */
export class ColumnCursor {
  protected pos = 0;
  protected end = 0;
  protected line = 0;

  constructor(
    protected readonly kind: ProcFileKind,
    protected readonly bytes: Uint8Array,
  ) {}

  /** Points the cursor at the row `bytes[start, end)`, line `line` of the file. */
  protected startRow(start: number, end: number, line: number): void {
    this.pos = start;
    this.end = end;
    this.line = line;
  }

  /** Skips to the next column and returns its start; `this.pos` becomes its end. */
  protected next(column: string): number {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < this.end && bytes[pos] === SPACE) pos++;
    if (pos >= this.end) throw this.error(column, pos, 'is missing');
    const start = pos;
    while (pos < this.end && bytes[pos] !== SPACE) pos++;
    this.pos = pos;
    return start;
  }

  protected hexColumn(column: string): number {
    const start = this.next(column);
    return this.hex(column, start, this.pos);
  }

  protected hex(column: string, start: number, end: number): number {
    try {
      return readHex(this.kind, this.bytes, start, end);
    } catch (error) {
      throw this.rethrow(error, column, 'is not a hex number');
    }
  }

  protected decimal(column: string, start: number, end: number): number {
    try {
      return readUint(this.kind, this.bytes, start, end);
    } catch (error) {
      throw this.rethrow(error, column, 'is not a decimal number');
    }
  }

  /** A number reader's ParseError as this column's error; anything else as it is. */
  protected rethrow(error: unknown, column: string, problem: string): unknown {
    if (!(error instanceof ParseError)) return error;
    const tooLarge = error instanceof NumberTooLargeError;
    return this.error(column, error.offset, tooLarge ? 'is too large to be exact' : problem);
  }

  /** What to throw for `problem` at `offset` in `column` (a subclass may throw something else). */
  protected error(column: string, offset: number, problem: string): unknown {
    return new ParseError(
      this.kind,
      `line ${this.line}: column "${column}" ${problem}`,
      this.bytes,
      offset,
    );
  }
}

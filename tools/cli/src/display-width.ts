// Text measured as a terminal shows it: CJK and most emoji take two columns, combining marks
// none (string-width, from the Unicode East Asian Width and emoji data). Rows of `procmon ps` are
// cut to the terminal's width by this measure, never in the middle of a character or a
// grapheme (a flag, a family emoji, a letter with its accent).
import stringWidth from 'string-width';

/**
 * The columns `text` takes. Only for text of bounded length: string-width takes time that grows
 * with the square of the length once the text holds one non-ASCII character (2.4 s for 100,000
 * characters), and a process chooses its arguments: COMMAND is never measured whole (see
 * cutToWidth).
 */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest start of `text` that fits in `columns` terminal columns. Only as much of `text`
 * is looked at as could fit: a grapheme takes at least one code unit and at most two columns,
 * so past `columns * 2` code units plus a margin for combining marks it is cut anyway; the last
 * grapheme of that slice may be a piece of a longer one, and is dropped.
 */
export function cutToWidth(text: string, columns: number): string {
  const limit = columns * 2 + 256;
  const head = text.length > limit ? text.slice(0, limit) : text;
  if (head === text && displayWidth(text) <= columns) return text;
  let used = 0;
  let end = 0;
  let fits = true;
  for (const { segment, index } of graphemes.segment(head)) {
    // The slice's last grapheme may continue past it: never shown whole, so not shown.
    if (head !== text && index + segment.length === head.length) break;
    const width = displayWidth(segment);
    if (used + width > columns) {
      fits = false;
      break;
    }
    used += width;
    end = index + segment.length;
  }
  return fits && head === text ? text : text.slice(0, end);
}

/** `text` padded with spaces to `columns` columns, at the end or (`start`) at the start. */
export function padToWidth(text: string, columns: number, start = false): string {
  const fill = ' '.repeat(Math.max(0, columns - displayWidth(text)));
  return start ? fill + text : text + fill;
}

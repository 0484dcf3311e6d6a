// Text measured as a terminal shows it: CJK and most emoji take two columns, combining marks
// none (string-width, from the Unicode East Asian Width and emoji data). Rows of `procmon ps` are
// cut to the terminal's width by this measure, never in the middle of a character or a
// grapheme (a flag, a family emoji, a letter with its accent).
import stringWidth from 'string-width';

export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` that fits in `columns` terminal columns. */
export function cutToWidth(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  let used = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const width = displayWidth(segment);
    if (used + width > columns) break;
    used += width;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** `text` padded with spaces to `columns` columns, at the end or (`start`) at the start. */
export function padToWidth(text: string, columns: number, start = false): string {
  const fill = ' '.repeat(Math.max(0, columns - displayWidth(text)));
  return start ? fill + text : text + fill;
}

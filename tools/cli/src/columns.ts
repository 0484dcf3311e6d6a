// Tables for people: a header, then one row per item, each column padded to its widest cell by
// display width (CJK and emoji take two columns), and each line cut to the terminal's width when
// one is given. The last column is never padded, so never measured: it holds what a process
// chose at any length (a command line, a path), and measuring megabytes of it would stall the
// command (see displayWidth).
import { pc } from './colors.js';
import { cutToWidth, displayWidth, padToWidth } from './display-width.js';

/** Columns a row may take; undefined for no limit. */
export type RowWidth = number | undefined;

export interface TableOptions {
  /** Column numbers padded at the start (numbers). */
  rightAligned?: ReadonlySet<number>;
  /** Cut each line to this many columns. */
  width?: RowWidth;
  /** Spaces between columns: 2 by default (ps aux uses 1). */
  gap?: number;
}

/** The lines of a table, the header in bold. */
export function drawTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  const last = header.length - 1;
  const widths = header.map((title, column) =>
    column === last
      ? 0
      : Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) => {
    const joined = cells
      .map((cell, column) =>
        column === last
          ? cell
          : padToWidth(cell, widths[column] ?? 0, options.rightAligned?.has(column) ?? false),
      )
      .join(' '.repeat(options.gap ?? 2));
    return options.width === undefined ? joined : cutToWidth(joined, options.width);
  };
  return [pc.bold(line(header)), ...rows.map(line)];
}

/** The width rows are cut to: none piped or with --wide; else COLUMNS, else the terminal's. */
export function rowWidth(wide: boolean): RowWidth {
  if (wide || !process.stdout.isTTY) return undefined;
  const columns = process.env.COLUMNS;
  if (columns !== undefined && /^[1-9]\d*$/.test(columns)) return Number(columns);
  return process.stdout.columns || 80;
}

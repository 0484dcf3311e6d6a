// Text helpers shared by the commands: JSON for machines; aligned columns, quoting and sizes for
// people. Colour comes from picocolors, which turns itself off when output is piped or NO_COLOR.
// Every string a process chose reaches text for people through escapeText (@procmon/parse), at the
// place it is put in a line; JSON keeps the exact strings.
import { Environ, escapeText } from '@procmon/parse';
import { pc } from './colors.js';

/**
 * JSON with bigints as decimal strings; an environment becomes its `[name, value]` definitions in
 * file order, every one of them (an object would hide a second LD_PRELOAD behind the first).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Environ) return [...v];
      return v;
    },
    2,
  );
}

/** `label  value` rows with the labels padded to one width. */
export function aligned(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${pc.dim(label.padEnd(width))}  ${value}`);
}

export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A path for people: as it is when it is the binary (`exe`); in brackets, as ps shows names
 * that are not paths, when it is what the process calls itself (`args`, `comm`: it chooses
 * them) or a kernel thread's name.
 */
export function pathText(path: string, source: string | undefined, comm?: string): string {
  if (source === 'kernel') return comm === undefined ? '[kernel thread]' : `[${escapeText(comm)}]`;
  // The exe link is past PATH_MAX: no path, and no name the process chose in its place.
  if (source === 'none') return '[path too long to read]';
  if (source === undefined || source === 'exe') return escapeText(path);
  return `[${escapeText(path)}]`;
}

/**
 * An argument as a shell would need it, escaped first: bare when safe, else in single quotes (an
 * escape's backslash is reason enough to quote).
 */
export function shellQuote(arg: string): string {
  const shown = escapeText(arg);
  if (/^[\w@%+=:,./-]+$/.test(shown)) return shown;
  return `'${shown.replaceAll("'", `'\\''`)}'`;
}

/** Failures as a `not read` section: which field, and why. */
export function failureLines(
  failures: readonly { field: string; reason: string; message: string }[],
): string[] {
  if (failures.length === 0) return [];
  return [
    pc.bold(pc.yellow('not read')),
    // Messages name paths, which processes choose.
    ...aligned(failures.map((f) => [f.field, `${f.reason}: ${escapeText(f.message)}`] as const)),
  ];
}

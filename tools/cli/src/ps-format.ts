// `procmon ps` for people: the columns of `ps aux` plus PPID and CONTAINER, the command last,
// `--forest` art as `ps --forest` draws it, and each row cut to the terminal's width by display
// width (CJK and emoji take two columns) unless output is not a terminal or --wide.
import { escapeText } from '@procmon/parse';
import { drawTable, type RowWidth } from './columns.js';
import { cutToWidth, displayWidth } from './display-width.js';
import type { PsLine, PsReport } from './ps-command.js';
import { cpuTimeText, percentText, startText } from './ps-fields.js';

const HEADER = [
  'USER',
  'PID',
  'PPID',
  '%CPU',
  '%MEM',
  'VSZ',
  'RSS',
  'STAT',
  'START',
  'TIME',
  'CONTAINER',
  'COMMAND',
] as const;
const RIGHT_ALIGNED = new Set(['PID', 'PPID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TIME']);

export function formatPs(report: PsReport, width: RowWidth): string {
  const now = new Date(report.readAt);
  const rows = report.lines.map((line, index) => {
    const depth = report.depths?.[index];
    const prefix = depth === undefined ? '' : forestPrefix(report.depths ?? [], index);
    return cells(line, now, prefix);
  });
  const rightAligned = new Set(
    HEADER.flatMap((title, column) => (RIGHT_ALIGNED.has(title) ? [column] : [])),
  );
  return drawTable(HEADER, rows, { rightAligned, width, gap: 1 }).join('\n');
}

function cells(line: PsLine, now: Date, prefix: string): string[] {
  return [
    userText(line),
    String(line.pid),
    String(line.ppid),
    percentText(line.cpuPercent),
    line.memPercent === undefined ? '-' : percentText(line.memPercent),
    String(Math.floor(line.virtualBytes / 1024)),
    String(Math.floor(line.residentBytes / 1024)),
    line.stat,
    startText(new Date(line.startedAt), now),
    cpuTimeText(line.cpuSeconds),
    containerText(line),
    prefix + commandText(line),
  ];
}

/** USER's width in `ps aux`. */
const USER_COLUMNS = 8;

/**
 * USER as ps shows it: the name (the uid when it has none, `?` when unread), a name wider than
 * eight columns cut to seven and a `+` (`systemd+`), so the columns after it stay in place.
 */
export function userText(line: PsLine): string {
  const user = escapeText(line.user ?? (line.uid === undefined ? '?' : String(line.uid)));
  if (displayWidth(user) <= USER_COLUMNS) return user;
  return `${cutToWidth(user, USER_COLUMNS - 1)}+`;
}

/**
 * COMMAND as ps shows it: the arguments; a zombie as `[comm] <defunct>`; a kernel thread, and a
 * process whose arguments are empty or unreadable, as `[comm]`.
 */
export function commandText(line: PsLine): string {
  if (line.zombie) return `[${escapeText(line.comm)}] <defunct>`;
  if (line.kernelThread || !line.args || line.args.length === 0) {
    return `[${escapeText(line.comm)}]`;
  }
  return escapeText(line.command ?? line.args.join(' '));
}

/** A container as `runtime:first 12 hex digits`; a systemd unit is no container: `-`. */
function containerText(line: PsLine): string {
  const container = line.container;
  if (!container || container.runtime === 'systemd') return '-';
  return `${container.runtime}:${container.id.slice(0, 12)}`;
}

/**
 * The art before a command in a forest, as procps draws it: for each ancestor level above the
 * parent, ` |  ` while that ancestor has siblings still to come, else four spaces; then ` \_ `.
 */
export function forestPrefix(depths: readonly number[], index: number): string {
  const depth = depths[index] ?? 0;
  if (depth === 0) return '';
  let prefix = '';
  for (let level = 1; level < depth; level++) {
    prefix += hasLaterSibling(depths, index, level) ? ' |  ' : '    ';
  }
  return `${prefix} \\_ `;
}

/** Whether a line at `level` follows `index` before the tree climbs above `level`. */
function hasLaterSibling(depths: readonly number[], index: number, level: number): boolean {
  for (let next = index + 1; next < depths.length; next++) {
    const depth = depths[next] ?? 0;
    if (depth < level) return false;
    if (depth === level) return true;
  }
  return false;
}

// One descriptor as `procmon inspect` and `procmon fds` show it: the target as the kernel
// writes it, a file's size and mtime, a socket's connection.
import { formatConnection } from '@procmon/netsock';
import { escapeText, type FdTarget, formatFdTarget } from '@procmon/parse';
import type { Descriptor, SocketInfo } from '@procmon/process';
import { pc } from './colors.js';
import { drawTable } from './columns.js';
import { bytesText } from './format.js';

export interface DescriptorLine {
  fd: number;
  type?: FdTarget['type'];
  /** The link's target, exactly as the kernel writes it. */
  target?: string;
  size?: number;
  modified?: string;
  /**
   * For a socket whose connection was found: its inode, then the connection in the order of ss:
   * `socket:[4242] tcp 127.0.0.1:5432 -> 0.0.0.0:* LISTEN`.
   */
  socket?: string;
  connection?: SocketInfo;
  failure?: string;
}

export function describeDescriptor(info: Descriptor): DescriptorLine {
  const line: DescriptorLine = { fd: info.fd };
  if (info.target) {
    line.type = info.target.type;
    line.target = formatFdTarget(info.target);
  }
  if (info.size !== undefined) line.size = info.size;
  if (info.modified) line.modified = info.modified.toISOString();
  if (info.socket) {
    line.socket = `socket:[${info.socket.inode}] ${formatConnection(info.socket)}`;
    line.connection = info.socket;
  }
  if (info.failure && !fileNotCaptured(info)) {
    line.failure = `${info.failure.reason}: ${info.failure.message}`;
  }
  return line;
}

/**
 * A snapshot (`--from`) holds the link, not the file behind it: its size and time are unknown
 * (ENODATA, what a snapshot does not hold), which is no failure of the descriptor to show on
 * every file row. The target is there; size and mtime are simply absent.
 */
function fileNotCaptured(info: Descriptor): boolean {
  return (
    info.target !== undefined && (info.failure?.error as { code?: unknown })?.code === 'ENODATA'
  );
}

/**
 * Descriptors as an aligned table: fd, type, target (or the socket's connection), size, mtime.
 * Descriptors that failed alike (another user's process: every link refused) are one row, with
 * how many they are and which.
 */
export function descriptorLines(descriptors: readonly DescriptorLine[]): string[] {
  if (descriptors.length === 0) return [];
  const rows: string[][] = [];
  const alike = new Map<string, { fds: number[]; row: string[] }>();
  for (const line of descriptors) {
    if (line.failure !== undefined && line.target === undefined) {
      // The message names the descriptor's own link: the same failure once that is taken out.
      const failure = line.failure.replaceAll(`/fd/${line.fd} `, '/fd/N ');
      const group = alike.get(failure);
      if (group) {
        group.fds.push(line.fd);
        continue;
      }
      const row = [String(line.fd), '?', '', '', pc.yellow(`(${escapeText(failure)})`)];
      alike.set(failure, { fds: [line.fd], row });
      rows.push(row);
      continue;
    }
    rows.push([
      String(line.fd),
      line.type ?? '?',
      line.size === undefined ? '' : bytesText(line.size),
      line.modified ?? '',
      // formatConnection escapes the names in its line itself.
      (line.socket ?? escapeText(line.target ?? '')) +
        (line.failure ? pc.yellow(` (${escapeText(line.failure)})`) : ''),
    ]);
  }
  for (const { fds, row } of alike.values()) {
    if (fds.length === 1) {
      row[4] = pc.yellow(
        `(${escapeText(descriptors.find((d) => d.fd === fds[0])?.failure ?? '')})`,
      );
      continue;
    }
    row[0] = '*';
    row[4] = `${row[4]} ${fds.length} descriptors: ${ranges(fds)}`;
  }
  return drawTable(['fd', 'type', 'size', 'modified', 'target'], rows, {
    rightAligned: new Set([0, 2]),
  }).map((line) => `  ${line}`);
}

/** `0-9, 11, 13-15` for those numbers. */
function ranges(numbers: readonly number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

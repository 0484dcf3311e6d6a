// One descriptor as `procmon inspect` and `procmon fds` show it: the target as the kernel
// writes it, a file's size and mtime, a socket's connection.
import { formatSocket } from '@procmon/netsock';
import { escapeText, type FdTarget, formatFdTarget } from '@procmon/parse';
import type { Descriptor, SocketInfo } from '@procmon/process';
import { pc } from './colors.js';
import { bytesText, table } from './format.js';

export interface DescriptorLine {
  fd: number;
  type?: FdTarget['type'];
  /** The link's target, exactly as the kernel writes it. */
  target?: string;
  size?: number;
  modified?: string;
  /** For a socket whose connection was found: `socket:[inode] - sport:src -> dst:dport, state: X`. */
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
    line.socket = formatSocket(info.socket);
    line.connection = info.socket;
  }
  if (info.failure) line.failure = `${info.failure.reason}: ${info.failure.message}`;
  return line;
}

/** Descriptors as an aligned table: fd, type, target (or the socket's connection), size, mtime. */
export function descriptorLines(descriptors: readonly DescriptorLine[]): string[] {
  if (descriptors.length === 0) return [];
  const rows = descriptors.map((line) => [
    String(line.fd),
    line.type ?? '?',
    line.size === undefined ? '' : bytesText(line.size),
    line.modified ?? '',
    // formatSocket escapes the names in its line itself.
    (line.socket ?? escapeText(line.target ?? '')) +
      (line.failure ? pc.yellow(` (${escapeText(line.failure)})`) : ''),
  ]);
  return table(['fd', 'type', 'size', 'modified', 'target'], rows, new Set([0, 2])).map(
    (line) => `  ${line}`,
  );
}

// Every descriptor of a process as one line of text: its socket formatted when it is one this
// package resolves, else its link target with control characters escaped.
import { escapeText, formatFdTarget, parseFdTarget } from '@procmon/parse';
import type { ProcFS } from '@procmon/procfs';
import type { SocketEntry } from './types.js';

/** One descriptor of {@link SocketResolver.describeDescriptors}. */
export interface DescribedDescriptor {
  fd: number;
  /** The link target as text (`socket:[123]`, a path, ...). */
  target: string;
  /** The socket behind it, when it is one this package resolves. */
  socket?: SocketEntry;
  /** `formatSocket(socket)` for a resolved socket, else the target with control characters escaped: one line. */
  text: string;
}

/**
 * The descriptors of `pid` (listed through `procfs`), each with its text; the sockets among them
 * resolved with one call of `resolve` and written with `format`.
 */
export function describeDescriptors(
  procfs: ProcFS,
  pid: number,
  resolve: (inodes: number[]) => Map<number, SocketEntry>,
  format: (entry: SocketEntry) => string,
): DescribedDescriptor[] {
  const inodes: number[] = [];
  const targets: { fd: number; target: string; inode: number }[] = [];
  for (const entry of procfs.listFds(pid)) {
    if (entry.error !== undefined) continue;
    const parsed = parseFdTarget(entry.target);
    const inode = parsed.type === 'socket' ? parsed.inode : 0;
    if (inode !== 0) inodes.push(inode);
    // The kernel's text, decoded losslessly (bytes that are not UTF-8 kept as escapes).
    targets.push({ fd: entry.fd, target: formatFdTarget(parsed), inode });
  }
  const sockets = resolve(inodes);
  return targets.map(({ fd, target, inode }) => {
    const socket = inode !== 0 ? sockets.get(inode) : undefined;
    return socket === undefined
      ? { fd, target, text: escapeText(target) }
      : { fd, target, socket, text: format(socket) };
  });
}

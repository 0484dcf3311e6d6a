import type { SocketEntry } from './types.js';

/** Options of {@link formatSocket}. */
export interface FormatSocketOptions {
  /** A name for a remote address (e.g. from a DNS cache); the address itself when undefined. */
  resolveHost?: (address: string) => string | undefined;
}

/**
 * One line for a socket descriptor, in the form OpenSnitch prints, with the inode where it
 * belongs (OpenSnitch wrote the descriptor number there):
 *
 * - inet: `socket:[4242] - 41234:127.0.0.1 -> example.org:443, state: ESTABLISHED`
 *   (`localPort:localAddress -> remoteHost:remotePort`; the remote host is
 *   `resolveHost(remoteAddress)` when that gives a name);
 * - unix: `socket:[4243] - unix stream @bus -> socket:[4244], state: ESTABLISHED`
 *   (name `/path`, `@abstract` or `(unnamed)`; `-> socket:[peer]` when the peer is known).
 *
 * NUL bytes in an abstract name are written `@` (as `ss` and `/proc/net/unix` do), other control
 * characters in a unix name `\xNN`, so the text stays on one line.
 */
export function formatSocket(entry: SocketEntry, options?: FormatSocketOptions): string {
  const head = `socket:[${entry.inode}] - `;
  if (entry.family === 'unix') {
    const name =
      entry.path === undefined
        ? '(unnamed)'
        : entry.abstract
          ? `@${printable(entry.path.replaceAll('\0', '@'))}`
          : printable(entry.path);
    const peer = entry.peerInode ? ` -> socket:[${entry.peerInode}]` : '';
    return `${head}unix ${entry.type ?? 'unknown'} ${name}${peer}, state: ${entry.state}`;
  }
  const remote = entry.remoteAddress ?? '';
  const host = (remote !== '' && options?.resolveHost?.(remote)) || remote;
  return `${head}${entry.localPort ?? 0}:${entry.localAddress ?? ''} -> ${host}:${entry.remotePort ?? 0}, state: ${entry.state}`;
}

function printable(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code !== 0x7f) continue;
    out += `${text.slice(from, i)}\\x${code.toString(16).padStart(2, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

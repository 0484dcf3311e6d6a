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
 * NUL bytes in an abstract name are written `@` (as `ss` and `/proc/net/unix` do). In a unix
 * name and in the host name `resolveHost` gives, control characters (C0, DEL, C1 0x80-0x9f) are
 * written `\xNN`, the line and paragraph separators U+2028/U+2029 `\u2028`/`\u2029`, and the
 * backslash itself `\x5c`, so the text stays on one line and reads back unambiguously.
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
  const name = remote !== '' ? options?.resolveHost?.(remote) : undefined;
  const host = typeof name === 'string' && name !== '' ? printable(name) : remote;
  return `${head}${entry.localPort ?? 0}:${entry.localAddress ?? ''} -> ${host}:${entry.remotePort ?? 0}, state: ${entry.state}`;
}

/** `text` on one line: control characters, C1 controls, U+2028/U+2029 and `\\` escaped. */
export function printable(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f && code !== 0x5c) continue;
    if (code > 0x9f && code !== 0x2028 && code !== 0x2029) continue;
    const escaped =
      code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
    out += `${text.slice(from, i)}${escaped}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

import { escapeText } from '@procmon/parse';
import type { SocketEntry } from './types.js';

/** Options of {@link formatSocket}. */
export interface FormatSocketOptions {
  /** A name for a remote address (e.g. from a DNS cache); the address itself when undefined. */
  resolveHost?: (address: string) => string | undefined;
}

/**
 * A unix socket's bound name for people: escaped, an abstract one as `@name` (each NUL in it as
 * `@`, as ss shows them), `unnamed` when it has none.
 */
export function unixNameText(entry: SocketEntry, unnamed = '(unnamed)'): string {
  if (entry.path === undefined) return unnamed;
  return entry.abstract
    ? `@${escapeText(entry.path.replaceAll('\0', '@'))}`
    : escapeText(entry.path);
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
 * NUL bytes in an abstract name are written `@` (as `ss` and `/proc/net/unix` do). A unix name
 * and the host name `resolveHost` gives are chosen by whoever made the socket or the DNS reply:
 * they go through `escapeText` from `@procmon/parse` (controls, C1, bidi and other format
 * characters, U+2028/U+2029 as `\xNN` or `\u{H}`, a backslash as `\\`), so the line stays one
 * line, reads as it is, and reads back unambiguously.
 *
 * An entry whose text the /proc/net fallback could not prove (`unverified`) says so at the end:
 * `, unverified: path` (the name may be cut short or another's) or `, unverified: row` (the whole
 * row may have been written by a socket name, not by the kernel).
 */
export function formatSocket(entry: SocketEntry, options?: FormatSocketOptions): string {
  const head = `socket:[${entry.inode}] - `;
  if (entry.family === 'unix') {
    const name = unixNameText(entry);
    const peer = entry.peerInode ? ` -> socket:[${entry.peerInode}]` : '';
    const doubt = entry.unverified ? `, unverified: ${entry.unverified}` : '';
    return `${head}unix ${entry.type ?? 'unknown'} ${name}${peer}, state: ${entry.state}${doubt}`;
  }
  const remote = entry.remoteAddress ?? '';
  const name = remote !== '' ? options?.resolveHost?.(remote) : undefined;
  const host = typeof name === 'string' && name !== '' ? escapeText(name) : remote;
  return `${head}${entry.localPort ?? 0}:${entry.localAddress ?? ''} -> ${host}:${entry.remotePort ?? 0}, state: ${entry.state}`;
}

/**
 * One line for a socket in the order `ss` and `lsof` print it: protocol, local, remote, state.
 *
 * - inet: `tcp 127.0.0.1:5432 -> 10.0.0.2:51000 ESTABLISHED`; IPv6 in brackets
 *   (`tcp [::1]:443 -> [::]:* LISTEN`); a port 0 on the remote side (a listener, an unconnected
 *   UDP socket) is `*`; an unconnected UDP socket's state is `UNCONN`, as ss says (the kernel
 *   calls it CLOSE).
 * - unix: `unix stream /run/app.sock LISTEN`, `unix stream @bus -> socket:[4244] ESTABLISHED`,
 *   `unix dgram (unnamed) UNCONNECTED`.
 *
 * Names are escaped as in formatSocket, and an entry the /proc/net fallback could not prove ends
 * with ` (unverified: path)` or ` (unverified: row)`.
 */
export function formatConnection(entry: SocketEntry): string {
  if (entry.family === 'unix') {
    const name = unixNameText(entry);
    const peer = entry.peerInode ? ` -> socket:[${entry.peerInode}]` : '';
    const doubt = entry.unverified ? ` (unverified: ${entry.unverified})` : '';
    return `unix ${entry.type ?? 'unknown'} ${name}${peer} ${entry.state}${doubt}`;
  }
  const endpoint = (address: string | undefined, port: number | undefined) => {
    const host = entry.family === 'inet6' ? `[${address ?? '::'}]` : (address ?? '0.0.0.0');
    return `${host}:${port ? port : '*'}`;
  };
  const unconnected = entry.protocol !== 'tcp' && entry.state === 'CLOSE' && !entry.remotePort;
  const state = unconnected ? 'UNCONN' : entry.state;
  return `${entry.protocol} ${endpoint(entry.localAddress, entry.localPort)} -> ${endpoint(entry.remoteAddress, entry.remotePort)} ${state}`;
}

// A connection asked for by its tuple (`SocketResolver.find`): checked and turned into bytes
// once, and the rule that says whether a socket is the one a query names, shared by the netlink
// backend (to check the kernel's answer) and the procfs backend (to pick the row).

import { formatIPv4, formatIPv6 } from '@procmon/parse';
import { isIPv4, isIPv6 } from './ip-syntax.js';
import type { SocketEntry } from './types.js';

/** A connection as the socket's own side sees it (a firewall's tuple: source = local). */
export interface ConnectionQuery {
  protocol: 'tcp' | 'udp' | 'udplite';
  /** `127.0.0.1`, `::1`, `::ffff:10.0.0.2` (an IPv4-mapped address is IPv4). */
  localAddress: string;
  localPort: number;
  /**
   * Absent (or `0.0.0.0` / `::` with port 0): a listener, an unconnected UDP socket. Given: the
   * peer; an IPv4 local address needs an IPv4 (or IPv4-mapped) remote one.
   */
  remoteAddress?: string;
  remotePort?: number;
  /** When given, the socket must also have this cookie (`SocketEntry.cookie`). */
  cookie?: bigint;
}

/** A checked query: addresses as bytes, IPv4 (and IPv4-mapped) as 4 bytes. */
export interface CheckedQuery {
  protocol: 'tcp' | 'udp' | 'udplite';
  /** Whether the addresses are IPv4 (4 bytes each) rather than IPv6 (16). */
  ipv4: boolean;
  local: Uint8Array;
  localPort: number;
  /** All zero when no remote side was given. */
  remote: Uint8Array;
  remotePort: number;
  cookie?: bigint;
  /** The texts an entry may give for the local address (IPv4 also as `::ffff:` IPv6). */
  localTexts: readonly string[];
  /** The same for the remote address; empty when no remote side was given. */
  remoteTexts: readonly string[];
  /** The wildcards a socket receiving the local address may be bound to. */
  wildcardTexts: readonly string[];
}

const PROTOCOLS = new Set(['tcp', 'udp', 'udplite']);
const MAX_COOKIE = (1n << 64n) - 2n;

/** Checks `query` field by field; throws TypeError or RangeError naming the field. */
export function checkQuery(query: ConnectionQuery): CheckedQuery {
  if (typeof query !== 'object' || query === null) {
    throw new TypeError(`the query must be an object, got ${describe(query)}`);
  }
  const { protocol } = query;
  if (typeof protocol !== 'string' || !PROTOCOLS.has(protocol)) {
    throw new TypeError(`protocol must be 'tcp', 'udp' or 'udplite', got ${describe(protocol)}`);
  }
  const local = addressBytes(query.localAddress, 'localAddress');
  const localPort = port(query.localPort, 'localPort');
  let remote: Uint8Array = new Uint8Array(local.length);
  let remotePort = 0;
  const hasAddress = query.remoteAddress !== undefined;
  const hasPort = query.remotePort !== undefined;
  if (hasAddress !== hasPort) {
    const [given, missing] = hasAddress
      ? ['remoteAddress', 'remotePort']
      : ['remotePort', 'remoteAddress'];
    throw new TypeError(`${missing} must be given with ${given}`);
  }
  if (hasAddress) {
    const bytes = addressBytes(query.remoteAddress, 'remoteAddress');
    remotePort = port(query.remotePort, 'remotePort');
    const any = isZero(bytes);
    if (any !== (remotePort === 0)) {
      throw new RangeError(
        any
          ? `remotePort must be 0 with the wildcard remoteAddress ${query.remoteAddress}, got ${remotePort}`
          : `remotePort must be 1..65535 with the remoteAddress ${query.remoteAddress}, got 0`,
      );
    }
    if (!any && bytes.length !== local.length) {
      throw new TypeError(
        `remoteAddress ${query.remoteAddress} is ${bytes.length === 4 ? 'IPv4' : 'IPv6'}, but localAddress ${query.localAddress} is ${local.length === 4 ? 'IPv4' : 'IPv6'}`,
      );
    }
    if (!any) remote = bytes;
  }
  const ipv4 = local.length === 4;
  const checked: CheckedQuery = {
    protocol: protocol as CheckedQuery['protocol'],
    ipv4,
    local,
    localPort,
    remote,
    remotePort,
    localTexts: textsOf(local),
    remoteTexts: isZero(remote) ? [] : textsOf(remote),
    wildcardTexts: ipv4 ? ['0.0.0.0', '::'] : ['::'],
  };
  if (query.cookie !== undefined) checked.cookie = checkCookie(query.cookie);
  return checked;
}

/** Checks a socket cookie: a bigint the kernel can hold (all ones means "no cookie" to it). */
export function checkCookie(cookie: unknown): bigint {
  if (typeof cookie !== 'bigint') {
    throw new TypeError(`cookie must be a bigint, got ${describe(cookie)}`);
  }
  if (cookie < 0n || cookie > MAX_COOKIE) {
    throw new RangeError(`cookie must be 0..2^64-2, got ${cookie}`);
  }
  return cookie;
}

function port(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new RangeError(`${field} must be an integer 0..65535, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** An IP address as bytes: 4 for IPv4 and IPv4-mapped IPv6, else 16. */
function addressBytes(text: unknown, field: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new TypeError(`${field} must be an IP address string, got ${describe(text)}`);
  }
  const bytes = parseAddress(text);
  if (bytes === undefined) {
    throw new TypeError(
      text.includes('%') && isIPv6(text)
        ? `${field} must be an IP address without a zone, got ${describe(text)}`
        : `${field} must be an IP address, got ${describe(text)}`,
    );
  }
  return bytes;
}

/** `text` as bytes (IPv4-mapped as IPv4), or undefined when it is no address (or has a zone). */
export function parseAddress(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return new Uint8Array(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const bytes = new Uint8Array(16);
  // A dotted IPv4 tail is the last two 16-bit groups.
  let groups = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    groups = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const words = 8;
  const [head, rest] = groups.split('::') as [string, string | undefined];
  const before = head === '' ? [] : head.split(':');
  const after = rest === undefined || rest === '' ? [] : rest.split(':');
  const values = [
    ...before,
    ...Array(words - before.length - after.length).fill('0'),
    ...after,
  ].slice(0, words);
  values.forEach((word, i) => {
    const value = Number.parseInt(word, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return isMapped(bytes) ? bytes.slice(12) : bytes;
}

function isMapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

/** IPv4 bytes as an IPv4-mapped IPv6 address (what an AF_INET6 lookup of them takes). */
export function mapped(ipv4: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(ipv4, 12);
  return bytes;
}

/** How entries write an address (as formatIPv4 / formatIPv6 do): IPv4 in both families' forms. */
function textsOf(bytes: Uint8Array): string[] {
  return bytes.length === 4 ? [formatIPv4(bytes), formatIPv6(mapped(bytes))] : [formatIPv6(bytes)];
}

const isWildcard = (text: string | undefined) => text === '0.0.0.0' || text === '::';

/**
 * How `entry` answers `query`: `exact` (its local and remote sides are the query's; for a query
 * without a remote side, a socket without one), `waiting` (a TCP listener or an unconnected UDP
 * socket on the query's local port, bound to its local address or to the wildcard of a family
 * that receives it: `0.0.0.0` or `::` for IPv4, `::` for IPv6), or undefined (another socket).
 * A socket with another cookie than a query's is another socket.
 */
export function howItMatches(
  entry: SocketEntry,
  query: CheckedQuery,
): 'exact' | 'waiting' | undefined {
  if (entry.protocol !== query.protocol || entry.localPort !== query.localPort) return undefined;
  if (query.cookie !== undefined && entry.cookie !== query.cookie) return undefined;
  const local = entry.localAddress ?? '';
  const unconnected = isWildcard(entry.remoteAddress) && entry.remotePort === 0;
  const sameLocal = query.localTexts.includes(local);
  if (sameLocal) {
    const sameRemote =
      query.remoteTexts.length === 0
        ? unconnected
        : query.remoteTexts.includes(entry.remoteAddress ?? '') &&
          entry.remotePort === query.remotePort;
    if (sameRemote) return 'exact';
  }
  const waiting = query.protocol === 'tcp' ? entry.state === 'LISTEN' : unconnected;
  if (!waiting) return undefined;
  return sameLocal || query.wildcardTexts.includes(local) ? 'waiting' : undefined;
}

/**
 * The socket the kernel would give for `query` among `entries` (read from /proc/net files): an
 * exact one first, else a waiting one bound to the query's address, else one bound to the
 * wildcard, of the query's own family first (as the kernel's lookups score them).
 */
export function pickAnswer(
  entries: readonly SocketEntry[],
  query: CheckedQuery,
): SocketEntry | undefined {
  let best: SocketEntry | undefined;
  let bestRank = 0;
  for (const entry of entries) {
    const how = howItMatches(entry, query);
    if (how === undefined) continue;
    if (how === 'exact') return entry;
    const ownFamily = (entry.family === 'inet') === query.ipv4;
    const rank = (isWildcard(entry.localAddress) ? 1 : 3) + (ownFamily ? 1 : 0);
    if (rank > bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * The sockets among `entries` other than `socket` that could also be the local side of `query`
 * when it is a UDP (or UDP-Lite) datagram: same protocol and local port, bound to the local
 * address or to a wildcard that receives it. Any of them can send from that address and port
 * (SO_REUSEADDR lets several sockets bind it, of any user, and a connected UDP socket may still
 * sendto() another peer), so the tuple alone does not tell which one did: the kernel's lookup
 * gives the one that would receive a reply, not necessarily the sender.
 */
export function datagramRivals(
  entries: readonly SocketEntry[],
  query: ConnectionQuery,
  socket: SocketEntry,
): SocketEntry[] {
  const checked = checkQuery(query);
  if (checked.protocol === 'tcp') return [];
  return entries.filter((entry) => {
    if (entry.protocol !== checked.protocol || entry.localPort !== checked.localPort) return false;
    if (entry.inode === socket.inode && entry.cookie === socket.cookie) return false;
    const local = entry.localAddress ?? '';
    return checked.localTexts.includes(local) || checked.wildcardTexts.includes(local);
  });
}

import type { ProcFS } from '@procmon/procfs';

/** Where socket tables come from: sock_diag over netlink (the addon), or `/proc/<pid>/net/*`. */
export type SocketBackendName = 'netlink' | 'procfs';

/** The socket families this package resolves. */
export type SocketFamily = 'inet' | 'inet6' | 'unix';

/**
 * The transports this package resolves. `icmp` is an ICMP "ping" socket (SOCK_DGRAM with
 * IPPROTO_ICMP, or IPPROTO_ICMPV6 for family inet6), read from `/proc/<pid>/net/icmp{,6}`.
 */
export type SocketProtocol = 'tcp' | 'udp' | 'udplite' | 'raw' | 'icmp' | 'sctp' | 'unix';

/** A unix socket's type. */
export type UnixSocketType = 'stream' | 'dgram' | 'seqpacket';

/**
 * One socket, the same from either backend (the fields one backend cannot know are absent, see
 * the README's table). Addresses are text: `127.0.0.1`, RFC 5952 IPv6 (`::1`,
 * `::ffff:127.0.0.1`).
 */
export interface SocketEntry {
  family: SocketFamily;
  protocol: SocketProtocol;
  /** The socket's inode: the `N` of a `socket:[N]` descriptor link; 0 for TIME_WAIT and requests. */
  inode: number;
  /**
   * The owner's uid as seen from this process's user namespace. -1 when unknown: `/proc/net/unix`
   * has no uid column, so unix entries of the procfs backend say -1.
   */
  uid: number;
  /**
   * The state by name. inet: the kernel's TCP state names (`ESTABLISHED`, `LISTEN`, `SYN_SENT`,
   * ..., `NEW_SYN_RECV`, `UNKNOWN`); an unconnected UDP or raw socket is `CLOSE`. unix: `LISTEN`,
   * `ESTABLISHED` (connected), `UNCONNECTED`, `CONNECTING`, `DISCONNECTING`.
   */
  state: string;
  localAddress?: string;
  /**
   * Local port; for raw sockets the IP protocol number the socket was opened for; for ICMP ping
   * sockets the echo identifier (remotePort is then 0).
   */
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  /** unix: the bound name (without the leading NUL of an abstract name); absent when unnamed. */
  path?: string;
  /** unix: whether `path` is an abstract name (shown as `@name`). */
  abstract?: boolean;
  /** unix: the socket type. */
  type?: UnixSocketType;
  /** unix: the inode of the connected peer (netlink only). */
  peerInode?: number;
  /**
   * Bytes received and not yet read; for a listener, connections waiting for `accept`. Absent for
   * unix sockets of the procfs backend.
   */
  rxQueue?: number;
  /** Bytes queued to send (tcp: not yet acknowledged); 0 for a listener. */
  txQueue?: number;
  /** A listener's backlog limit (`listen(fd, n)`), netlink only. */
  backlog?: number;
  /** The interface the socket is bound to (SO_BINDTODEVICE), 0 for none; netlink only. */
  interfaceIndex?: number;
  /** The kernel's socket cookie, unique while the machine runs; netlink only. */
  cookie?: bigint;
  /**
   * Set only on unix entries that the procfs backend read from `/proc/<pid>/net/unix`: what of
   * this entry the file's text cannot prove. Absent everywhere else (netlink's unix_diag gives
   * names as bytes and the rest as numbers; the inet tables hold no text a process chooses).
   *
   * The file writes a socket's name as it is, newlines included, so a process can bind a name
   * that holds a whole row claiming another socket's inode, with any name, type and state
   * (see "What each backend can prove" in the README).
   * - `'path'`: the row is the kernel's, so `state` and `type` are, but not `path` and
   *   `abstract`: the name is followed by a line that could be more of it, so `path` may be only
   *   the start of the real name (which the socket's owner chose: `/tmp/.X11-unix/X0` can be the
   *   start of a longer name anyone can bind there); or it reads as an abstract name, which a
   *   relative path starting with `@` reads as too (anyone can bind `@/tmp/.X11-unix/X0` in a
   *   folder of theirs), and whose `@`s may each have been a NUL. Common: every abstract name,
   *   and any short name followed by another socket's row.
   * - `'row'`: no row the kernel surely wrote has this inode; the fields come from rows that
   *   may be text of another socket's name. None of them is proven: not `state`, `type` or
   *   `path`, not even that this inode is a unix socket. Such an entry is given only when every
   *   such row in every read agreed and no other table had the inode; also common for sockets
   *   whose row follows a short name.
   *
   * Treat a listed part as a claim any local user could have made: do not grant anything on it.
   */
  unverified?: UnverifiedPart;
}

/** What a procfs unix entry's text cannot prove: see {@link SocketEntry.unverified}. */
export type UnverifiedPart = 'path' | 'row';

/** Options of a {@link SocketResolver}. */
export interface SocketResolverOptions {
  /** Where `/proc` is (`new ProcFS({ root: '/host/proc' })` in a container); `/proc` by default. */
  procfs?: ProcFS;
  /** `auto` (default): netlink when the addon loads and a netlink socket opens, else procfs. */
  backend?: 'auto' | SocketBackendName;
  /** Names for remote addresses in {@link SocketResolver.format} (a DNS cache's lookup). */
  resolveHost?: (address: string) => string | undefined;
}

/** Options of one resolve call. */
export interface ResolveOptions {
  /** Resolve in the network namespace of this process (default: the caller's). */
  pid?: number;
}

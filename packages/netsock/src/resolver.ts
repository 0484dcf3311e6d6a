import type { Flow, ProcFS } from '@procmon/procfs';
import { procfsOf } from '@procmon/procfs';
import { loadAddon, type NetsockAddon } from './addon.js';
import { type BackendChoice, type NetlinkChannel, netsockBackend } from './backend.js';
import { Channels, type Source } from './channels.js';
import { type ConnectionQuery, checkCookie, checkQuery } from './connection-query.js';
import { type DescribedDescriptor, describeDescriptors } from './describe.js';
import { type SocketDescriptor, socketDescriptors, socketDescriptorsAsync } from './descriptors.js';
import { type EarlyDump, EarlyDumps } from './early-dumps.js';
import { findByCookieFlow, findFlow } from './find.js';
import { formatSocket } from './format.js';
import { listFlow, lookupFlow, resolveFlow } from './lookups.js';
import { type InetFamily, TABLE_ORDER, type TableName } from './netlink/tables.js';
import type { ReadContext } from './table-reads.js';
import type {
  ResolveOptions,
  SocketBackendName,
  SocketEntry,
  SocketResolverOptions,
} from './types.js';

export type { DescribedDescriptor } from './describe.js';

/**
 * Resolves socket inodes (from `socket:[N]` descriptor links) to the sockets behind them, with
 * one dump per socket table for a whole set of inodes, stopping as soon as every inode is found.
 * Keeps its netlink socket(s) open between calls: `close()` releases them (a resolver dropped
 * without it has them closed once the garbage collector takes it).
 */
export class SocketResolver {
  /** The backend in use (after `auto`). */
  readonly backend: SocketBackendName;
  /** Why that backend. */
  readonly reason: string;
  readonly procfs: ProcFS;
  private readonly resolveHost: ((address: string) => string | undefined) | undefined;
  private readonly addon: NetsockAddon | undefined;
  // The sockets of the sync calls, and those of the async ones: an async exchange runs on
  // libuv's thread pool, and a sync call must not receive on a socket with one in flight.
  private readonly channels: Channels;
  private readonly asyncChannels: Channels;
  private readonly reads: ReadContext;
  private readonly early: EarlyDumps;

  constructor(options: SocketResolverOptions = {}) {
    const wanted = options.backend ?? 'auto';
    if (wanted !== 'auto' && wanted !== 'netlink' && wanted !== 'procfs') {
      throw new TypeError(`backend must be 'auto', 'netlink' or 'procfs', got ${String(wanted)}`);
    }
    this.procfs = procfsOf(options);
    this.resolveHost = options.resolveHost;
    let choice: BackendChoice;
    if (wanted === 'procfs') {
      choice = { name: 'procfs', reason: "backend 'procfs' was asked for" };
    } else {
      choice = netsockBackend();
      if (wanted === 'netlink' && choice.name !== 'netlink') {
        throw new Error(`the netlink backend is not available: ${choice.reason}`);
      }
    }
    this.backend = choice.name;
    this.reason = choice.reason;
    if (choice.name === 'netlink') {
      const loaded = loadAddon();
      this.addon = 'addon' in loaded ? loaded.addon : undefined;
    }
    this.channels = new Channels(this.procfs, () => this.addon, this.reason);
    this.asyncChannels = new Channels(this.procfs, () => this.addon, this.reason);
    this.reads = {
      procfs: this.procfs,
      drop: (channel: NetlinkChannel) => {
        this.channels.drop(channel);
        this.asyncChannels.drop(channel);
      },
    };
    this.early = new EarlyDumps(this.reads, this.channels);
  }

  /**
   * The socket of each inode, with one dump per table (tcp, unix, udp, udplite, raw, icmp,
   * sctp, in that order, stopping once all are found), in the network namespace of
   * `options.pid` when given (else the caller's). Inodes still missing after that pass are looked
   * for once more (see "Dumps are not snapshots" in the README): a dump can skip a socket that
   * exists throughout when others close meanwhile. Inodes that are no socket of these tables
   * (netlink, packet sockets; gone meanwhile) are simply absent. Unix sockets read from
   * /proc/<pid>/net/unix may carry `unverified` (see SocketEntry), or be absent when the file's
   * rows for them contradict each other (README: "What each backend can prove"). Throws
   * NetlinkError when the kernel refuses a dump, ParseError for a malformed reply,
   * DumpInterruptedError when a table changed during its dump twice in a row, ProcessGoneError /
   * PermissionDeniedError from /proc reads.
   */
  resolve(inodes: Iterable<number>, options?: ResolveOptions): Map<number, SocketEntry> {
    const source = this.channels.sourceFor(options?.pid);
    return this.procfs.run(resolveFlow(this.reads, source, inodes));
  }

  /**
   * `resolve`, asynchronously: the same reads in the same order, with the event loop free while
   * each runs. With the netlink backend each exchange (a request and its whole reply) runs on
   * libuv's thread pool, one after another on the call's socket, and its datagrams are decoded
   * here as `resolve` decodes them; with the procfs backend the files are read with async I/O.
   * A `close()` meanwhile lets the call end on the socket it began on, then closes it.
   */
  resolveAsync(
    inodes: Iterable<number>,
    options?: ResolveOptions,
  ): Promise<Map<number, SocketEntry>> {
    return this.runAsync(options?.pid, (source) => resolveFlow(this.reads, source, inodes));
  }

  /**
   * One socket by inode. A unix socket is asked for by inode alone (unix_diag's exact lookup,
   * `udiag_ino` with no cookie); sock_diag cannot find an inet socket by inode (its exact lookup
   * needs addresses and ports), so the inet tables are dumped, one after another, until it is
   * found, and looked at once more when none had it (as in `resolve`). undefined when no table
   * has it.
   */
  lookup(inode: number, options?: ResolveOptions): SocketEntry | undefined {
    const source = this.channels.sourceFor(options?.pid);
    return this.procfs.run(lookupFlow(this.reads, source, inode));
  }

  /**
   * The socket of one connection, named as its own side sees it (local = the socket's address:
   * the source of a packet it sends), in the namespace of `options.pid`: with netlink, the
   * kernel's exact lookup (one short exchange, no dump); IPv4 asked as IPv4 and, when that finds
   * nothing, with IPv4-mapped addresses. What the kernel answers is what a packet of that tuple
   * would reach (README: "Whose connection is this?"):
   * - the connected socket with that tuple (TCP: also TIME_WAIT and connection requests, inode
   *   0); a dual-stack IPv6 socket for an IPv4 tuple, as the kernel describes it (`inet6`,
   *   `::ffff:` addresses);
   * - else a TCP listener, or unconnected UDP socket, on the local port bound to the local
   *   address or a wildcard (`0.0.0.0`, `::`): a tuple with a remote side no socket is connected
   *   to still gives the listener;
   * - a query without a remote side finds only listeners and unconnected sockets (a connected
   *   UDP socket needs its remote side).
   * undefined when there is none, or when `cookie` is given and that socket has another one. An
   * answer the kernel gives that is neither (a forged or wrong reply) is not returned. The procfs
   * backend reads /proc/<pid>/net/{tcp,udp,udplite}{,6} and picks with the same rules (it cannot
   * tell an IPV6_V6ONLY socket from a dual-stack one). Throws TypeError / RangeError naming the
   * bad field of `query`, NetlinkError when the kernel refuses the request (not ENOENT).
   */
  find(query: ConnectionQuery, options?: ResolveOptions): SocketEntry | undefined {
    const checked = checkQuery(query);
    const source = this.channels.sourceFor(options?.pid);
    return this.procfs.run(findFlow(this.reads, source, checked));
  }

  /** `find`, asynchronously (the exchange on libuv's thread pool, as `resolveAsync`). */
  async findAsync(
    query: ConnectionQuery,
    options?: ResolveOptions,
  ): Promise<SocketEntry | undefined> {
    const checked = checkQuery(query);
    return this.runAsync(options?.pid, (source) => findFlow(this.reads, source, checked));
  }

  /**
   * The socket with this cookie (`SocketEntry.cookie`, unique while the machine runs), in the
   * namespace of `options.pid`: sock_diag cannot filter a dump by cookie, so the tcp, udp,
   * udplite, raw, sctp and unix tables are dumped in turn until one has it (each message's
   * cookie is read in place, only the match decoded), and all once more before answering
   * undefined (a dump can skip a socket while others close). Netlink only: with the procfs
   * backend (or a `pid` whose namespace is read through /proc/<pid>/net) throws an Error, as
   * /proc/net files have no cookies. TypeError / RangeError for a cookie that is not a bigint
   * 0..2^64-2.
   */
  findByCookie(cookie: bigint, options?: ResolveOptions): SocketEntry | undefined {
    const checked = checkCookie(cookie);
    const source = this.channels.sourceFor(options?.pid);
    return this.procfs.run(findByCookieFlow(this.reads, source, checked));
  }

  /** `findByCookie`, asynchronously. */
  async findByCookieAsync(
    cookie: bigint,
    options?: ResolveOptions,
  ): Promise<SocketEntry | undefined> {
    const checked = checkCookie(cookie);
    return this.runAsync(options?.pid, (source) => findByCookieFlow(this.reads, source, checked));
  }

  /**
   * Every socket of the given tables (all by default) in the namespace of `options.pid`, in every
   * state (TIME_WAIT and connection requests too, with inode 0). A socket seen twice in a dump is
   * listed once (same inode, or same cookie for inode 0). One read of each table: a socket the
   * kernel skipped while others closed is not looked for again (see `resolve`). With
   * `localPort`, only the inet sockets bound to that port (the kernel filters the netlink dumps,
   * so a table of thousands returns the few on the port). RangeError for a port that is not an
   * integer from 0 to 65535, TypeError for a table name not in TABLE_ORDER. With `family`
   * (`'inet'` or `'inet6'`), only the sockets of that family: the netlink dumps of the other
   * family are not made (each walks the kernel's whole table of its protocol); TypeError for
   * another value.
   */
  list(
    options?: ResolveOptions & {
      tables?: readonly TableName[];
      localPort?: number;
      family?: InetFamily;
    },
  ): SocketEntry[] {
    const localPort = options?.localPort;
    if (
      localPort !== undefined &&
      !(Number.isInteger(localPort) && localPort >= 0 && localPort <= 0xffff)
    ) {
      throw new RangeError(
        `localPort must be an integer from 0 to 65535, got ${String(localPort)}`,
      );
    }
    const family = options?.family;
    if (family !== undefined && family !== 'inet' && family !== 'inet6') {
      throw new TypeError(`family must be 'inet' or 'inet6', got ${String(family)}`);
    }
    const tables = options?.tables ?? TABLE_ORDER;
    for (const table of tables) {
      if (!TABLE_ORDER.includes(table))
        throw new TypeError(
          `tables: ${JSON.stringify(table)} is not a socket table (${TABLE_ORDER.join(', ')}; udp and tcp hold both IPv4 and IPv6)`,
        );
    }
    const source = this.channels.sourceFor(options?.pid);
    return this.procfs.run(listFlow(this.reads, source, tables, localPort, family));
  }

  /**
   * Every socket descriptor of a process with the socket behind it (`socket` absent when no table
   * has it: a netlink or packet socket, or one closed meanwhile), resolved in the process's
   * network namespace as one `resolve` would. The descriptors are listed with
   * `procfs.flows.listFds` (one pass over /proc/<pid>/fd), then resolved: errors are those of the
   * listing first, then of `resolve`.
   */
  socketsOf(pid: number): SocketDescriptor[] {
    const descriptors = socketDescriptors(this.procfs, pid);
    return this.withSockets(descriptors, this.resolve(inodesOf(descriptors), { pid }));
  }

  /**
   * `socketsOf`, asynchronously: the listing runs with `procfs.runAsync` (with procfs's native
   * backend, one work item on libuv's thread pool; the event loop is free meanwhile) while the
   * tcp and unix tables are dumped here with the netlink backend, kept undecoded until the
   * inodes are known; the other tables are dumped after it, only for inodes still missing, which
   * are then looked for once more as `resolve` does (a socket opened after the first dump but
   * listed is found there), so the result is the one of listing first, then resolving. A dump
   * that fails during the listing is asked again after it, so the listing's errors come first.
   * A call that holds no early dump resolves with `resolveAsync`. A `close()` while the listing
   * runs does not fail the call: the dumps still to do after it open a netlink socket again, as
   * a call after `close()` does (close again to release it).
   */
  async socketsOfAsync(pid: number): Promise<SocketDescriptor[]> {
    const listing = socketDescriptorsAsync(this.procfs, pid);
    // Awaited below in every case; this only keeps a rejection from counting as unhandled first.
    listing.catch(() => {});
    let early: EarlyDump | undefined;
    if (this.overlaps(pid)) {
      try {
        early = this.early.dump(pid);
      } catch {
        // Not thrown from here: the resolve after the listing says what is wrong, if it still
        // is (and the listing's own errors come first).
        early = undefined;
      }
    }
    try {
      const descriptors = await listing;
      const inodes = inodesOf(descriptors);
      const found =
        early !== undefined
          ? this.early.finish(early, inodes, pid)
          : await this.resolveAsync(inodes, { pid });
      return this.withSockets(descriptors, found);
    } finally {
      if (early !== undefined) this.early.release(early);
    }
  }

  /**
   * Every descriptor of a process with a one-line text: `formatSocket` for its sockets (resolved
   * with one `resolve` call, in the process's namespace), the link target for the others.
   */
  describeDescriptors(pid: number): DescribedDescriptor[] {
    return describeDescriptors(
      this.procfs,
      pid,
      (inodes) => this.resolve(inodes, { pid }),
      (entry) => this.format(entry),
    );
  }

  /** `formatSocket` with this resolver's `resolveHost`. */
  format(entry: SocketEntry): string {
    return this.resolveHost === undefined
      ? formatSocket(entry)
      : formatSocket(entry, { resolveHost: this.resolveHost });
  }

  /**
   * Which backend a call for `pid` uses and why: netlink in the caller's namespace, netlink
   * inside the process's own namespace (setns), or `/proc/<pid>/net` (the procfs backend, setns
   * not allowed, or the namespace link unreadable).
   */
  backendFor(pid?: number): { name: SocketBackendName; reason: string } {
    const source = this.channels.sourceFor(pid);
    return { name: source.backend, reason: source.reason };
  }

  /** Closes the netlink socket(s) this resolver keeps open; a later call opens them again. */
  close(): void {
    this.channels.close();
    this.asyncChannels.close();
  }

  /**
   * A flow run with async reads on a source of the async channels, its netlink socket held for
   * the whole call (a close() meanwhile closes it once the call ends).
   */
  private async runAsync<T>(
    pid: number | undefined,
    flow: (source: Source) => Flow<T>,
  ): Promise<T> {
    const source = this.asyncChannels.sourceFor(pid);
    if (source.backend === 'procfs') return this.procfs.runAsync(flow(source));
    source.channel.hold();
    try {
      return await this.procfs.runAsync(flow(source));
    } finally {
      source.channel.release();
    }
  }

  /** Whether socketsOfAsync(pid) may dump while the descriptors are listed (else: as resolve does). */
  private overlaps(pid: number): boolean {
    return this.backend === 'netlink' && Number.isSafeInteger(pid) && pid > 0;
  }

  private withSockets(
    descriptors: SocketDescriptor[],
    found: Map<number, SocketEntry>,
  ): SocketDescriptor[] {
    return descriptors.map(({ fd, inode }) => withSocket(fd, inode, found.get(inode)));
  }
}

function inodesOf(descriptors: SocketDescriptor[]): number[] {
  return descriptors.map((d) => d.inode);
}

function withSocket(fd: number, inode: number, socket: SocketEntry | undefined): SocketDescriptor {
  return socket === undefined ? { fd, inode } : { fd, inode, socket };
}

// What find and findByCookie do once they know where to read (a Source), as flows run by
// procfs's sync or async runner, as lookups.ts does for resolve, lookup and list.
import type { Flow } from '@procmon/procfs';
import type { NetlinkChannel } from './backend.js';
import type { Source } from './channels.js';
import { type CheckedQuery, howItMatches, mapped, pickAnswer } from './connection-query.js';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
} from './netlink/constants.js';
import { decodeInetMessage, readCookie } from './netlink/inet.js';
import { lookupInetByTuple, type TupleRequest } from './netlink/inet-lookup.js';
import { type DumpSink, dumpTableFlow, type TableName } from './netlink/tables.js';
import { decodeUnixMessage } from './netlink/unix.js';
import { readProcTable } from './procfs-tables.js';
import { type ReadContext, readTable } from './table-reads.js';
import type { SocketEntry, SocketProtocol } from './types.js';

const IPPROTO = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, udplite: IPPROTO_UDPLITE } as const;
const KIND = { tcp: 'net/tcp', udp: 'net/udp', udplite: 'net/udp' } as const;

/** The socket `query` names: see SocketResolver.find. */
export function* findFlow(
  context: ReadContext,
  source: Source,
  query: CheckedQuery,
): Flow<SocketEntry | undefined> {
  if (source.backend === 'procfs' && query.cookie !== undefined) {
    throw new Error(
      `a query with a cookie needs the netlink backend: /proc/net files have no socket cookies (${source.reason})`,
    );
  }
  if (source.backend === 'netlink' && !source.channel.unsupported.has(query.protocol)) {
    const found = yield* askKernel(context, source.channel, query);
    if (found !== 'unsupported') return found;
  }
  const entries: SocketEntry[] = [];
  yield* readProcTable(context.procfs, query.protocol, source.pid, collect(entries));
  return pickAnswer(entries, query);
}

/**
 * The kernel's exact lookup, IPv4 asked as AF_INET and then, when that finds nothing, as AF_INET6
 * with IPv4-mapped addresses (a dual-stack socket). An answer that is not the socket asked for
 * (not the query's tuple, nor a listener or unconnected socket the tuple reaches) is not given.
 * `unsupported` when the kernel has no diag handler for the protocol.
 */
function* askKernel(
  context: ReadContext,
  channel: NetlinkChannel,
  query: CheckedQuery,
): Flow<SocketEntry | undefined | 'unsupported'> {
  const base = {
    protocol: IPPROTO[query.protocol],
    protocolName: query.protocol,
    kind: KIND[query.protocol],
    localPort: query.localPort,
    remotePort: query.remotePort,
    cookie: query.cookie,
  };
  const asked: TupleRequest = query.ipv4
    ? { ...base, family: AF_INET, local: query.local, remote: query.remote }
    : { ...base, family: AF_INET6, local: query.local, remote: query.remote };
  // An IPv4 tuple again as IPv4-mapped IPv6, only when the first finds nothing. Linux 6.18's
  // IPv4 lookups already find dual-stack sockets (find.test.ts); this is for a kernel whose do
  // not. No remote side is the zero address of either family, not a mapped 0.0.0.0.
  const mappedToo = (): TupleRequest => ({
    ...base,
    family: AF_INET6,
    local: mapped(query.local),
    remote: query.remotePort === 0 ? new Uint8Array(16) : mapped(query.remote),
  });
  try {
    let entry = yield* lookupInetByTuple(channel, asked);
    if (entry === undefined && query.ipv4) entry = yield* lookupInetByTuple(channel, mappedToo());
    if (entry !== undefined) return howItMatches(entry, query) ? entry : undefined;
    // ENOENT is also what a kernel without the protocol's diag handler says: an empty dump
    // (no state asked) tells which, once per channel.
    if (channel.supported.has(query.protocol)) return undefined;
    const probe = yield* dumpTableFlow(channel, query.protocol, 0, collect([]));
    return probe === 'unsupported' ? 'unsupported' : undefined;
  } catch (error) {
    context.drop(channel);
    throw error;
  }
}

function collect(entries: SocketEntry[]): DumpSink {
  return { wants: () => true, add: (entry) => entries.push(entry) };
}

/** The tables a cookie is looked for in, in this order. */
const COOKIE_TABLES: readonly TableName[] = ['tcp', 'udp', 'udplite', 'raw', 'sctp', 'unix'];
const ALL = 0xffffffff;

/** The socket with `cookie`: see SocketResolver.findByCookie. */
export function* findByCookieFlow(
  context: ReadContext,
  source: Source,
  cookie: bigint,
): Flow<SocketEntry | undefined> {
  if (source.backend === 'procfs') {
    throw new Error(
      `findByCookie needs the netlink backend: /proc/net files have no socket cookies (${source.reason})`,
    );
  }
  const sink = new CookieSink(cookie);
  // A dump can skip a socket while others close (README: "Dumps are not snapshots"): one more
  // read of every table before saying there is none.
  for (let pass = 0; pass < 2 && sink.found === undefined; pass++) {
    for (const table of COOKIE_TABLES) {
      if (sink.found !== undefined) break;
      yield* readTable(context, source, table, ALL, sink, () => []);
    }
  }
  return sink.found;
}

/** Reads each dumped message's cookie where it lies and decodes only the one that matches. */
class CookieSink implements DumpSink {
  found: SocketEntry | undefined;
  private lastBytes: Uint8Array | undefined;
  private lastView: DataView | undefined;

  constructor(private readonly cookie: bigint) {}

  // Rows of /proc/net files (a table without a diag handler) have no cookie.
  wants(): boolean {
    return false;
  }

  add(): void {}

  keep(protocol: SocketProtocol, bytes: Uint8Array, start: number, length: number): void {
    if (this.found !== undefined) return;
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.lastView as DataView;
    // The cookie's place: inet_diag_msg.id.idiag_cookie, unix_diag_msg.udiag_cookie.
    const at = protocol === 'unix' ? start + 8 : start + 44;
    if (readCookie(view, at) !== this.cookie) return;
    this.found =
      protocol === 'unix'
        ? decodeUnixMessage(bytes, view, start, length)
        : decodeInetMessage(bytes, view, start, protocol);
  }
}

// `procmon net owner tcp 10.0.0.2:51000 1.1.1.1:443`: the firewall's question. The kernel finds
// the socket of that tuple (sock_diag's exact lookup), then the processes holding it are found
// (each with its identity checked), named, and shown; when none is, the answer says why.
import { type ConnectionQuery, checkQuery, parseAddress, type SocketEntry } from '@procmon/netsock';
import { escapeText } from '@procmon/parse';
import type { NoOwnerReason } from '@procmon/process';
import { drawTable, type RowWidth } from './columns.js';
import { pathText } from './format.js';
import type { Endpoint, OwnerProtocol } from './net-arguments.js';
import { type NetHolder, shownState } from './net-command.js';
import { endpointText, protocolText } from './net-format.js';
import { holderPrograms, programKey } from './net-programs.js';
import { type DataSource, liveSource, notFromSnapshot, tablesFrom } from './source-option.js';
import { UsageError } from './usage-error.js';
import { GETENT, type UserLookupCommand } from './users.js';

export interface OwnerQuery {
  protocol: OwnerProtocol;
  local: Endpoint;
  /** Absent: a listener, or an unconnected datagram socket, on the local address and port. */
  remote?: Endpoint | undefined;
  /** Look in the network namespace of this process. */
  netnsPid?: number | undefined;
  lookup?: UserLookupCommand | undefined;
  /** Where the data comes from: a snapshot (`--from`), else this machine (with `lookup`). */
  source?: DataSource | undefined;
}

export interface OwnerReport {
  query: { protocol: OwnerProtocol; local: Endpoint; remote?: Endpoint | undefined };
  /** The socket the kernel gave for the tuple. */
  socket?: SocketEntry | undefined;
  /** Its owner's name (the socket's uid). */
  user?: string | undefined;
  holders: NetHolder[];
  /** Processes whose descriptors could not be read (a holder may be among them). */
  unreadable: number[];
  /** With reason `ambiguous`: the other sockets the tuple's local side could be. */
  rivals?: SocketEntry[] | undefined;
  /** Why no holder was found. */
  reason?: NoOwnerReason | undefined;
  /** The reason for people. */
  explanation?: string | undefined;
}

export async function ownersOf(query: OwnerQuery): Promise<OwnerReport> {
  const { connectionOwnersAsync } = await import('@procmon/process');
  const source = query.source ?? liveSource(query.lookup ?? GETENT);
  if (source.snapshot && query.netnsPid !== undefined) {
    throw notFromSnapshot(
      '--netns',
      "it holds the socket tables of the capturing process's namespace only",
    );
  }
  const asked = checkedQuery(query);
  // A table the snapshot does not hold is refused, not searched as if empty.
  if (source.snapshot) tablesFrom(source.snapshot, [query.protocol]);
  const found = await connectionOwnersAsync(asked, {
    pid: query.netnsPid,
    procfs: source.procfs,
    resolver: source.resolver,
  });
  const names = source.names.users([
    ...(found.socket ? [found.socket.uid] : []),
    ...found.holders.map((h) => h.uid),
  ]);
  // Holders are found only for a socket the kernel gave.
  const inode = found.socket?.inode ?? 0;
  const programs = holderPrograms(
    found.holders.map((holder) => ({ ...holder, inode })),
    source.procfs,
  );
  return {
    query: { protocol: query.protocol, local: query.local, remote: query.remote },
    socket: found.socket,
    user: found.socket ? names.get(found.socket.uid) : undefined,
    holders: found.holders.map((holder) => ({
      ...holder,
      user: names.get(holder.uid),
      program: programs.get(programKey(holder)),
    })),
    unreadable: found.unreadable,
    rivals: found.rivals,
    reason: found.reason,
    // Offline, no kernel was asked: the captured tables were searched.
    explanation:
      source.snapshot && found.reason === 'no-socket'
        ? `the socket tables of ${source.snapshot.file} hold no such socket`
        : found.explanation,
  };
}

export function formatOwner(report: OwnerReport, width: RowWidth): string {
  const { socket } = report;
  if (socket === undefined) {
    const { protocol, local, remote } = report.query;
    const asked = `${protocol} ${endpointOf(local)} -> ${remote ? endpointOf(remote) : '*:*'}`;
    return `${asked}: ${report.explanation ?? 'no such socket'}`;
  }
  const head = `${protocolText(socket)} ${endpointText(socket.family, socket.localAddress, socket.localPort)} -> ${endpointText(socket.family, socket.remoteAddress, socket.remotePort)} ${shownState(socket)}`;
  const owner = escapeText(report.user ?? String(socket.uid));
  const lines = [`${head}  inode ${socket.inode}  user ${owner}`];
  if (report.holders.length === 0) {
    lines.push(`held by no process found: ${report.explanation ?? report.reason ?? 'unknown'}`);
    return lines.join('\n');
  }
  const rows = report.holders.map((holder) => [
    String(holder.pid),
    String(holder.fd),
    escapeText(holder.user ?? String(holder.uid)),
    holder.program === undefined
      ? `[${escapeText(holder.comm)}]`
      : pathText(holder.program.path, holder.program.source, holder.comm),
  ]);
  lines.push(
    ...drawTable(['PID', 'FD', 'USER', 'PROGRAM'], rows, {
      rightAligned: new Set([0, 1]),
      width,
    }),
  );
  return lines.join('\n');
}

/**
 * The query as netsock's checkQuery accepts it, every refusal a usage error naming the endpoint:
 * an address that is none, a wildcard remote side (it names no peer), IPv4 with IPv6. (The
 * shape, brackets for IPv6 only, was checked by parseEndpoint.)
 */
function checkedQuery(query: OwnerQuery): ConnectionQuery {
  const endpoints = query.remote === undefined ? [query.local] : [query.local, query.remote];
  for (const endpoint of endpoints) {
    const bytes = parseAddress(endpoint.address);
    if (bytes === undefined) {
      throw new UsageError(
        `"${endpointOf(endpoint)}" is not an address and port (127.0.0.1:5432, or [::1]:443 for IPv6)`,
      );
    }
    if (endpoint === query.remote && bytes.every((byte) => byte === 0)) {
      throw new UsageError(
        `"${endpointOf(endpoint)}" is the wildcard address, not a peer; leave the remote side out for a listener or an unconnected socket`,
      );
    }
  }
  const asked: ConnectionQuery = {
    protocol: query.protocol,
    localAddress: query.local.address,
    localPort: query.local.port,
  };
  if (query.remote !== undefined) {
    asked.remoteAddress = query.remote.address;
    asked.remotePort = query.remote.port;
  }
  try {
    checkQuery(asked);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(`net owner: ${error.message}`);
    }
    throw error;
  }
  return asked;
}

function endpointOf(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

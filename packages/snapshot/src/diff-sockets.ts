// The listeners and connections of one snapshot as the diff sees them: the captured socket tables
// (proc/net/{tcp,tcp6,udp,udp6}) parsed with @procmon/parse, each socket joined to the processes
// whose fd links name its inode. Sockets with the same key (SO_REUSEPORT listeners, one port in
// several processes) are one entry with every holder.
import { type InetFamily, type InetSocketEntry, parseNetInet } from '@procmon/parse';
import { type DiffProcess, malformed } from './diff-processes.js';
import type { Snapshot } from './tree.js';

export interface DiffEndpoint {
  address: string;
  port: number;
}

/** A listener (TCP LISTEN, UDP unconnected) or a connection (an established tuple). */
export interface DiffSocket {
  protocol: 'tcp' | 'udp';
  family: InetFamily;
  local: DiffEndpoint;
  /** `0.0.0.0:0` / `:::0` for a listener. */
  remote: DiffEndpoint;
  /** The kernel's state name: LISTEN, CLOSE (unconnected UDP), ESTABLISHED. */
  state: string;
  /** The processes whose descriptors hold it, by pid; empty when none was captured holding it. */
  holders: DiffProcess[];
}

export interface SnapshotSockets {
  /** By `protocol local`. */
  listeners: Map<string, DiffSocket>;
  /** By `protocol local remote`. */
  connections: Map<string, DiffSocket>;
}

const TABLES: { file: string; protocol: 'tcp' | 'udp'; family: InetFamily }[] = [
  { file: 'tcp', protocol: 'tcp', family: 'inet' },
  { file: 'tcp6', protocol: 'tcp', family: 'inet6' },
  { file: 'udp', protocol: 'udp', family: 'inet' },
  { file: 'udp6', protocol: 'udp', family: 'inet6' },
];

/**
 * The snapshot's listeners and connections; a table the capture could not read adds none.
 *
 * @throws SnapshotError (reason `malformed`, member `proc/net/<table>`) for a table that does not
 *   parse as the kernel writes it.
 */
export function readSockets(
  snapshot: Snapshot,
  holders: ReadonlyMap<number, DiffProcess[]>,
): SnapshotSockets {
  const listeners = new Map<string, DiffSocket>();
  const connections = new Map<string, DiffSocket>();
  const net = snapshot.proc.entries.get('net');
  if (net?.kind !== 'folder') return { listeners, connections };
  for (const { file, protocol, family } of TABLES) {
    const node = net.entries.get(file);
    if (node?.kind !== 'file') continue;
    let rows: InetSocketEntry[];
    try {
      rows = parseNetInet(node.data, { protocol, family });
    } catch (error) {
      throw malformed(`proc/net/${file}`, error);
    }
    for (const row of rows) {
      const kind = kindOf(row);
      if (kind === undefined) continue;
      const socket: DiffSocket = {
        protocol,
        family,
        local: { address: row.localAddress, port: row.localPort },
        remote: { address: row.remoteAddress, port: row.remotePort },
        state: row.stateName,
        holders: [...(holders.get(row.inode) ?? [])].sort(byPid),
      };
      const target = kind === 'listener' ? listeners : connections;
      merge(target, socketKey(socket, kind), socket);
    }
  }
  return { listeners, connections };
}

/** A listener is TCP LISTEN or UDP unconnected; a connection is an established tuple. */
function kindOf(row: InetSocketEntry): 'listener' | 'connection' | undefined {
  if (row.stateName === 'LISTEN' && row.protocol === 'tcp') return 'listener';
  if (row.stateName === 'CLOSE' && row.protocol === 'udp' && row.remotePort === 0)
    return 'listener';
  if (row.stateName === 'ESTABLISHED') return 'connection';
  return undefined;
}

const endpointText = ({ address, port }: DiffEndpoint): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

export function socketKey(socket: DiffSocket, kind: 'listener' | 'connection'): string {
  const local = `${socket.protocol} ${endpointText(socket.local)}`;
  return kind === 'listener' ? local : `${local} ${endpointText(socket.remote)}`;
}

const byPid = (a: DiffProcess, b: DiffProcess): number => a.pid - b.pid;

function merge(target: Map<string, DiffSocket>, key: string, socket: DiffSocket): void {
  const known = target.get(key);
  if (known === undefined) {
    target.set(key, socket);
    return;
  }
  for (const holder of socket.holders)
    if (!known.holders.includes(holder)) known.holders.push(holder);
  known.holders.sort(byPid);
}
